"""Sparse-matrix helpers of the recommender: row scaling and pair look-ups in products.

The pair features of :mod:`recommend.features` are sums over common neighbours,
``Σ_z A_uz f_z A_zv = (A[u] · diag(f)·A)[u, v]``: one sparse product per block of distinct
u, then a look-up of the wanted (u, v) entries. scipy returns products with unsorted
column indices, so :func:`positions` finds entries by scattering a chunk of rows into a
dense scratch buffer (linear time, no sort).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def inverse_log_degree(degree: np.ndarray) -> np.ndarray:
    """1/ln k where k > 1, else 0 (a common neighbour always has k ≥ 2)."""
    k = np.asarray(degree, dtype=np.float64)
    return np.divide(1.0, np.log(np.maximum(k, 1.0)), out=np.zeros_like(k), where=k > 1)


def inverse_degree(degree: np.ndarray) -> np.ndarray:
    k = np.asarray(degree, dtype=np.float64)
    return np.divide(1.0, k, out=np.zeros_like(k), where=k > 0)


def scale_rows(matrix: sp.csr_matrix, factor: np.ndarray) -> sp.csr_matrix:
    """diag(factor) · matrix, same sparsity."""
    out = sp.csr_matrix(matrix, copy=True)
    out.data = out.data * np.repeat(factor, np.diff(out.indptr))
    return out


def pair_products(
    left: sp.csr_matrix, right: sp.csr_matrix, u: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """``(left @ right)[u[k], v[k]]`` for every k, multiplying only the rows of distinct u.

    Examples
    --------
    >>> a = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float))
    >>> pair_products(a, a, np.array([0, 0]), np.array([1, 0])).tolist()
    [1.0, 2.0]
    """
    return shared_products(left, [right], u, v)[0]


def shared_products(
    left: sp.csr_matrix, rights: list[sp.csr_matrix], u: np.ndarray, v: np.ndarray
) -> list[np.ndarray]:
    """:func:`pair_products` of one ``left`` with several ``rights`` that share one
    sparsity structure (A, diag(f)·A, …): the products then share theirs too, so the
    wanted entries are located once and read from each product."""
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    if len(u) == 0:
        return [np.empty(0, dtype=np.float64) for _ in rights]
    distinct, local = np.unique(u, return_inverse=True)
    rows = left[distinct]
    products = [sp.csr_matrix(rows @ right) for right in rights]
    first = products[0]
    if any(not _same_structure(first, other) for other in products[1:]):
        return [lookup(product, local, v) for product in products]
    if not first.nnz:
        return [np.zeros(len(u)) for _ in rights]
    where = positions(first, local, v)
    found = where >= 0
    return [np.where(found, p.data[np.maximum(where, 0)], 0.0) for p in products]


def _same_structure(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return bool(np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices))


#: entries of the scratch buffer of :func:`positions` (4 Mi int64 = 32 MB at most)
LOOKUP_BUFFER = 1 << 22


def positions(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Where ``(rows[k], cols[k])`` is stored in ``matrix.data`` (-1 where absent).

    Rows are scattered a chunk at a time into a dense scratch buffer and the wanted
    entries read back: linear in the stored entries, with no sorting of the matrix
    (products come out of scipy with unsorted indices).
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    out = np.full(len(rows), -1, dtype=np.int64)
    n_rows, width = matrix.shape
    if not len(rows) or not matrix.nnz:
        return out
    order = np.argsort(rows, kind="stable")
    chunk = max(1, min(n_rows, LOOKUP_BUFFER // max(width, 1)))
    bounds = np.searchsorted(rows[order], np.arange(0, n_rows + chunk, chunk))
    buffer = np.full(chunk * width, -1, dtype=np.int64)
    indptr = matrix.indptr
    for step, first in enumerate(range(0, n_rows, chunk)):
        wanted = order[bounds[step] : bounds[step + 1]]
        if not len(wanted):
            continue
        last = min(n_rows, first + chunk)
        lo, hi = int(indptr[first]), int(indptr[last])
        local = np.repeat(np.arange(last - first), np.diff(indptr[first : last + 1]))
        position = local * width + matrix.indices[lo:hi]
        buffer[position] = np.arange(lo, hi)
        out[wanted] = buffer[(rows[wanted] - first) * width + cols[wanted]]
        buffer[position] = -1
    return out


def lookup(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows[k], cols[k]]`` for every k (0 where absent; see :func:`positions`).

    Examples
    --------
    >>> m = sp.csr_matrix(np.array([[0.0, 2.0], [3.0, 0.0]]))
    >>> lookup(m, np.array([0, 1, 1]), np.array([1, 0, 1])).tolist()
    [2.0, 3.0, 0.0]
    """
    where = positions(matrix, rows, cols)
    if not matrix.nnz:
        return np.zeros(len(where))
    return np.where(where >= 0, matrix.data[np.maximum(where, 0)], 0.0)

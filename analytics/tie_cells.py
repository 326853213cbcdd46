"""Where each tie lies in the group × group matrix (METRICS.md §0 M1/M2), for the
cross-community metrics of :mod:`analytics.ties` (X1, X2, X6) and
:mod:`analytics.reciprocity` (X5).

A tie u–v whose people share groups (M1 internal) lies inside each shared group and
nowhere else; a tie whose people share none lies between every A ∈ M_u and every
B ∈ M_v. Summed quantities follow M2: each tie's value is split evenly over its cells,
1/|M_u ∩ M_v| each when shared, else 1/(|M_u|·|M_v|); counts of ties take each tie whole
in every cell it lies in. Ties touching an unaffiliated person lie in no cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.groups import GroupLabels

IntArray = np.ndarray
FloatArray = np.ndarray
BoolArray = np.ndarray


@dataclass(frozen=True)
class TieCells:
    """Where each tie ``(source[k], target[k])`` lies in the group × group matrix.

    Built by :meth:`of`; :meth:`sums` adds per-tie values into an ordered g × g matrix
    (row = group of the source end), by the M1/M2 rule of the module docstring.

    Examples
    --------
    >>> labels = GroupLabels.from_sets(("A", "B"), [{0}, {0, 1}, {1}])
    >>> cells = TieCells.of(labels, np.array([0, 0]), np.array([1, 2]))
    >>> cells.sums(np.array([4.0, 6.0])).tolist()  # 0-1 shares A; 0-2 crosses A->B
    [[4.0, 6.0], [0.0, 0.0]]
    """

    inside: BoolArray
    shared: sp.csr_matrix
    crossing: IntArray
    source_member: sp.csr_matrix
    target_member: sp.csr_matrix
    split_share: FloatArray

    @classmethod
    def of(
        cls,
        labels: GroupLabels,
        source: IntArray,
        target: IntArray,
        member: sp.csr_matrix | None = None,
    ) -> TieCells:
        """Cells of the ties; ``member`` = ``labels.membership()`` if already computed."""
        member = labels.membership() if member is None else member
        shared = sp.csr_matrix(member[source].multiply(member[target]))
        inside = np.diff(shared.indptr) > 0
        crossing = np.flatnonzero(~inside)
        ends = (source[crossing], target[crossing])
        groups_of = np.maximum(np.diff(member.indptr), 1)
        share = 1.0 / (groups_of[ends[0]] * groups_of[ends[1]])  # 1/(|M_u||M_v|)
        return cls(inside, shared, crossing, member[ends[0]], member[ends[1]], share)

    def sums(self, values: FloatArray, *, split: bool = True) -> FloatArray:
        """Ordered g × g sums of ``values``: M2 shares if ``split``, else the full value in
        every cell the tie lies in (``values = 1`` then counts ties per cell).

        Crossing ties give PᵀWP = Σ_k w_k p_{u_k}ᵀ p_{v_k} (P = M2 rows, or 0/1 rows
        when not split), computed as B_uᵀ diag(w_k/(|M_u||M_v|)) B_v over the crossing
        ties' 0/1 membership rows; internal ties give the shared-group diagonal.
        """
        values = np.asarray(values, dtype=float)
        n_shared = np.maximum(np.diff(self.shared.indptr), 1)
        diagonal = self.shared.T @ (values / n_shared if split else values)
        crossing = values[self.crossing] * (self.split_share if split else 1.0)
        weighted_target = sp.diags(crossing) @ self.target_member
        cross = (self.source_member.T @ weighted_target).todense()
        matrix: FloatArray = np.asarray(cross) + np.diag(diagonal)
        return matrix

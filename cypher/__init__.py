"""Cypher queries of the Neo4j store, one parameterised query per ``<name>.cypher`` file.

``load(name)`` returns a query's text. Files are read with :mod:`importlib.resources`, so
they ship inside wheels, and cached: each file is read once per process. Queries take
values only as ``$parameters``; the Python code never formats Cypher text.
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files

__all__ = ["UnknownQuery", "load", "names"]

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SUFFIX = ".cypher"


class UnknownQuery(LookupError):
    """No ``cypher/<name>.cypher`` file exists for the requested name."""


@functools.cache
def load(name: str) -> str:
    """The text of the query in ``cypher/<name>.cypher`` (surrounding whitespace stripped).

    Raises :class:`UnknownQuery` for a name with no file (or not a lowercase identifier).
    """
    if not _NAME.fullmatch(name) or name not in names():
        raise UnknownQuery(f"no Cypher query named {name!r} (expected cypher/{name}{_SUFFIX})")
    return (files(__name__) / f"{name}{_SUFFIX}").read_text(encoding="utf-8").strip()


@functools.cache
def names() -> frozenset[str]:
    """The names of every query shipped in this package."""
    return frozenset(
        entry.name.removesuffix(_SUFFIX)
        for entry in files(__name__).iterdir()
        if entry.name.endswith(_SUFFIX) and entry.is_file()
    )

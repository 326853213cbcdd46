"""Export a store as an interchange CSV folder or one NDJSON file, streaming from ``list_*``."""

from __future__ import annotations

from pathlib import Path

from graphsvc.errors import InputError
from graphsvc.interchange import SPECS, RecordSource, write_csv_folder, write_ndjson
from graphsvc.store import GraphStore
from ingest.graphxml import GRAPH_SUFFIXES, write_gexf, write_graphml
from ingest.reader import NDJSON_SUFFIXES

FORMATS = ("csv", "ndjson", "graphml", "gexf")


def guess_format(path: Path) -> str:
    """By suffix: ``ndjson`` (``.ndjson``/``.jsonl``), ``graphml``, ``gexf``, else ``csv``."""
    suffix = path.suffix.lower()
    if suffix in NDJSON_SUFFIXES:
        return "ndjson"
    if suffix in GRAPH_SUFFIXES:
        return suffix[1:]
    return "csv"


def store_sources(store: GraphStore) -> dict[str, RecordSource]:
    """Every entity's ``list_*`` iterator factory (each call streams the records by key)."""
    return {entity: getattr(store, f"list_{entity}") for entity in SPECS}


def export_store(store: GraphStore, path: Path, fmt: str | None = None) -> dict[str, int]:
    """Write the whole store to ``path``; returns rows written per entity.

    ``csv`` writes the six ``<entity>.csv`` files into the folder ``path`` (created when
    missing, files replaced atomically); ``ndjson``, ``graphml`` and ``gexf`` write the single
    file ``path`` (docs/graph-formats.md for the graph formats).
    """
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise InputError(str(path), f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")
    if fmt == "csv":
        if path.exists() and not path.is_dir():
            raise InputError(str(path), "exists and is not a folder (csv export writes a folder)")
        return write_csv_folder(path, store_sources(store))
    if path.is_dir():
        raise InputError(str(path), f"is a folder ({fmt} export writes one file)")
    if not path.parent.is_dir():
        raise InputError(str(path), "the folder to write into does not exist")
    write = {"ndjson": write_ndjson, "graphml": write_graphml, "gexf": write_gexf}[fmt]
    return write(path, store_sources(store))

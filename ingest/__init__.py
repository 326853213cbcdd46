"""Ingest: read the interchange format (CSV folder / NDJSON) into a store and export it back.

:func:`run_import` validates and loads a dataset (``ingest.runner``), :func:`export_store`
writes one (``ingest.writer``); the format itself is defined in :mod:`graphsvc.interchange`.
The ``graphsvc import`` / ``graphsvc export`` commands live in :mod:`ingest.cli`.
"""

from ingest.runner import ImportResult, run_import
from ingest.writer import export_store

__all__ = ["ImportResult", "export_store", "run_import"]

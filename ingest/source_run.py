"""One import of any kind of source: what ``graphsvc import``, ``import-now`` and the scheduler run.

A location is an interchange folder, CSV or NDJSON file, a GraphML/GEXF file, a folder of
a foreign export with a mapping file, or an ``http(s)://`` URL of a paginated JSON API.
:func:`import_location` opens it, runs the import (:func:`ingest.runner.run_dataset`) and,
for an HTTP source, stores the new cursor — only after every batch has committed and only
when the run succeeded or quarantined some rows (``partial``); a failed or interrupted run
leaves the cursor where it was, so the next run fetches the same changes again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.model import ImportStatus
from graphsvc.store import GraphStore
from ingest.graphxml import GRAPH_SUFFIXES
from ingest.identity import load_id_map
from ingest.mapping_rules import Mapping as ForeignMapping
from ingest.outcome import ImportResult
from ingest.reader import Dataset, open_dataset
from ingest.runner import ImportOptions, run_dataset
from ingest.sources import SourceConfig

HTTP_SCHEMES = ("http://", "https://")
#: how many recent runs :func:`close_stale_runs` looks through
STALE_SCAN = 200


@dataclass(frozen=True, slots=True)
class ImportSpec:
    """Where to import from and how to read it."""

    location: str
    #: the source's name: the run record's source, the cursor's key, the default system
    name: str | None = None
    mapping: Path | None = None
    id_map: Path | None = None
    #: GraphML/GEXF reading options (``node_type_attr``, ``default_kind``)
    graph: Mapping[str, str] = field(default_factory=dict)
    #: HTTP options (:class:`ingest.http_source.HttpSourceConfig` fields besides ``url``)
    http: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_http(self) -> bool:
        return self.location.lower().startswith(HTTP_SCHEMES)


def import_location(
    store: GraphStore,
    spec: ImportSpec,
    settings: Settings,
    options: ImportOptions,
    *,
    environ: Mapping[str, str] | None = None,
    default_system: str | None = None,
) -> ImportResult:
    """Import ``spec`` into ``store`` (see the module docstring).

    The run's source system is ``options.source_system``, else the mapping file's, else
    ``default_system``.
    """
    mapping = _load_mapping(spec)
    system = options.source_system or (mapping and mapping.source_system) or default_system
    options = _with_identity(spec, replace(options, source_system=system))
    if spec.is_http:
        return _import_http(store, spec, settings, options, environ or os.environ)
    open_data = _opener(spec, mapping)
    return run_dataset(store, spec.name or spec.location, open_data, settings, options)


def run_source(
    store: GraphStore,
    source: SourceConfig,
    settings: Settings,
    *,
    progress: Any = None,
    should_stop: Callable[[], bool] | None = None,
) -> ImportResult:
    """Run one configured source of ``sources.toml`` (the scheduler's and ``import-now``'s job)."""
    spec = ImportSpec(
        location=source.location,
        name=source.name,
        mapping=source.mapping,
        http=dict(source.http),
    )
    options = ImportOptions(strict=source.strict, progress=progress, should_stop=should_stop)
    close_stale_runs(store, source.name)
    return import_location(store, spec, settings, options, default_system=source.name)


def close_stale_runs(store: GraphStore, source: str) -> list[str]:
    """Mark runs of ``source`` still recorded ``running`` as ``interrupted``; their ids.

    Only call this while holding the source's lock (the scheduler and ``import-now`` do):
    then no other process is running an import of it, so such a run was killed.
    """
    closed = []
    for run in store.import_runs(limit=STALE_SCAN):
        if run.source == source and run.status == ImportStatus.RUNNING:
            note = "found still running when the next run of its source started: killed"
            store.record_import_run(
                replace(run, status=ImportStatus.INTERRUPTED, errors=(*run.errors, note))
            )
            closed.append(run.id)
    return closed


def _load_mapping(spec: ImportSpec) -> ForeignMapping | None:
    """The spec's mapping file, read once per run (None without one)."""
    if spec.mapping is None:
        return None
    from ingest.mapping_spec import load_mapping

    return load_mapping(spec.mapping)


def _with_identity(spec: ImportSpec, options: ImportOptions) -> ImportOptions:
    """The options with the id-mapping file read (it needs the run's source system)."""
    system = options.source_system
    if system is None and spec.id_map is not None:
        raise InputError(str(spec.id_map), "an id-mapping file needs a source system")
    id_map = load_id_map(spec.id_map, system) if spec.id_map and system else options.id_map
    return replace(options, source_system=system, id_map=id_map)


def _opener(spec: ImportSpec, mapping: ForeignMapping | None) -> Callable[[], Dataset]:
    path = Path(spec.location)
    if mapping is not None:
        from ingest.mapping import open_mapped

        return lambda: open_mapped(path, mapping)
    if path.suffix.lower() in GRAPH_SUFFIXES:
        from ingest.graphxml_read import open_graph_file

        return lambda: open_graph_file(path, **spec.graph)
    return lambda: open_dataset(path)


def _import_http(
    store: GraphStore,
    spec: ImportSpec,
    settings: Settings,
    options: ImportOptions,
    environ: Mapping[str, str],
) -> ImportResult:
    from ingest.http_source import HttpFetch, HttpSourceConfig, fetch_http

    named = {"name": spec.name} if spec.name else {}
    config = HttpSourceConfig.from_mapping({**spec.http, "url": spec.location, **named})
    fetched: list[HttpFetch] = []

    def open_data() -> Dataset:
        cursor = store.get_cursor(config.label)
        fetched.append(fetch_http(config, cursor, environ=environ))
        return fetched[-1].dataset

    result = run_dataset(store, config.label, open_data, settings, options)
    done = result.run.status in (ImportStatus.SUCCEEDED, ImportStatus.PARTIAL)
    if done and fetched and fetched[-1].next_cursor:
        store.set_cursor(config.label, fetched[-1].next_cursor)
    return result

"""What the web app keeps between requests: the store and the analyses of recent windows.

A window's analysis (projections, names, and the full :class:`analytics.report.Report`) takes
from a fraction of a second (the 500-person demo) to tens of seconds (100k people), so it is
computed once per :class:`WindowKey` and kept in a small LRU cache. Each key has its own
lock: two requests for the same window wait for one computation, requests for other windows
do not wait. The store's counts are part of every key, read at most every
``freshness_seconds``: an import shows up within that time, and an import through the web
UI invalidates at once (:meth:`AnalysisCache.invalidate`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from analytics.cli import Loaded, load_projections
from analytics.projection import Projection, ProjectionOptions
from analytics.report import AnalysisOptions, Report, analyze
from graphsvc.config import Settings
from graphsvc.model import ENTITIES, CommunityKind, InteractionKind
from graphsvc.store import GraphStore
from web.layout import LayoutCache

#: analyses kept (each holds a window's graphs and metrics: tens of MB at 100k people)
CACHE_SIZE = 8


@dataclass(frozen=True)
class WindowKey:
    """One window of the network as the UI asks for it."""

    start: datetime | None = None
    end: datetime | None = None
    boundary: CommunityKind = CommunityKind.COP
    kinds: tuple[InteractionKind, ...] = ProjectionOptions().kinds

    def projection_options(self) -> ProjectionOptions:
        return ProjectionOptions(
            start=self.start, end=self.end, boundary=self.boundary, kinds=self.kinds
        )


@dataclass
class WindowAnalysis:
    """The loaded projections of one window and, once computed, its report."""

    loaded: Loaded
    community_names: dict[str, str]
    report: Report | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def main(self) -> Projection:
        return self.loaded[0]

    @property
    def consent(self) -> dict[str, bool]:
        return self.loaded[3]

    @property
    def names(self) -> dict[str, str]:
        return self.loaded[4]


class AnalysisCache:
    """Windows' analyses by :class:`WindowKey` and store version (see the module)."""

    def __init__(
        self,
        store: GraphStore,
        *,
        size: int = CACHE_SIZE,
        freshness_seconds: float = 30.0,
        options: AnalysisOptions | None = None,
    ) -> None:
        self._store = store
        self._size = size
        self._freshness = freshness_seconds
        self._options = options or AnalysisOptions()
        self._entries: OrderedDict[tuple[Any, ...], WindowAnalysis] = OrderedDict()
        self._loading: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()
        self._version: tuple[tuple[str, int], ...] = ()
        self._version_read = float("-inf")
        self._months: tuple[tuple[tuple[str, int], ...], list[str]] | None = None

    def window(self, key: WindowKey) -> WindowAnalysis:
        """The window's projections (read and projected on first use)."""
        full_key = (key, self.version())
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
            loading = self._loading.setdefault(full_key, threading.Lock())
        with loading:
            with self._lock:
                if full_key in self._entries:
                    return self._entries[full_key]
            entry = self._load(key)
            with self._lock:
                self._entries[full_key] = entry
                self._loading.pop(full_key, None)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
            return entry

    def report(self, key: WindowKey) -> tuple[WindowAnalysis, Report]:
        """The window and its full report (computed on first use, once per window)."""
        entry = self.window(key)
        with entry.lock:
            if entry.report is None:
                main, flows, exchange, consent, names = entry.loaded
                entry.report = analyze(
                    main, flows, exchange, self._options, consent=consent, names=names
                )
            return entry, entry.report

    def months(self) -> list[str]:
        """The months (``YYYY-MM``, UTC) that hold interactions, ascending."""
        version = self.version()
        with self._lock:
            cached = self._months
        if cached is not None and cached[0] == version:
            return cached[1]
        seconds = self._store.interactions().at
        months = month_labels(seconds)
        with self._lock:
            self._months = (version, months)
        return months

    def invalidate(self) -> None:
        """Forget every analysis (after an import through the UI)."""
        with self._lock:
            self._entries.clear()
            self._version_read = float("-inf")

    def version(self) -> tuple[tuple[str, int], ...]:
        """The store's counts of the graph's entities (:data:`graphsvc.model.ENTITIES`),
        re-read at most every ``freshness_seconds``: feedback, import runs and stored
        metrics do not change a window's analysis."""
        now = time.monotonic()
        if now - self._version_read >= self._freshness:
            counts = self._store.counts()
            self._version = tuple(sorted((name, counts[name]) for name in ENTITIES))
            self._version_read = now
        return self._version

    def _load(self, key: WindowKey) -> WindowAnalysis:
        loaded = load_projections(self._store, key.projection_options())
        names = {
            summary.community.id: summary.community.name
            for summary in self._store.communities(key.boundary.value)
        }
        return WindowAnalysis(loaded, names)


def month_labels(seconds: np.ndarray) -> list[str]:
    """The distinct months (``YYYY-MM``, UTC) of Unix ``seconds``, ascending.

    >>> month_labels(np.array([0, 2_678_400, 86_400]))
    ['1970-01', '1970-02']
    """
    months = np.unique(np.asarray(seconds, dtype="datetime64[s]").astype("datetime64[M]"))
    return [str(month) for month in months.astype(str).tolist()]


@dataclass
class WebState:
    """Everything a request handler needs, kept in ``app.extensions["graphsvc"]``."""

    settings: Settings
    store: GraphStore
    analyses: AnalysisCache
    layouts: LayoutCache = field(default_factory=LayoutCache)
    #: the recommenders' inputs and models (set by create_app)
    recommendations: Any = None
    #: reports computed from the store (before/after an activity, tie survival), by store
    #: version and key (:meth:`report`)
    reports: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    reports_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: work to run after the response (tests run it inline); e.g. warming the default window
    background: Callable[[Callable[[], None]], None] = field(
        default=lambda work: threading.Thread(target=work, daemon=True).start()
    )

    def report(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()`` once per ``key`` and store version; reports of older versions are
        dropped. One computation at a time (they read the whole store)."""
        version = self.analyses.version()
        with self.reports_lock:
            for old in [k for k in self.reports if k[0] != version]:
                del self.reports[old]
            if (version, *key) not in self.reports:
                self.reports[(version, *key)] = compute()
            return self.reports[(version, *key)]

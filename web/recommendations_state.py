"""The recommenders' inputs and fitted models, kept between requests.

:class:`RecommendationCache` reads people, communities, memberships and interactions once
per store version (the analyses' counts of the graph's entities, so a moderator's verdict
does not refit the collaborator model) and the feedback on every request (a verdict shows at
once). One lock serialises loading and fitting: the first request after an import waits for
the fit (about a second on the demo world, under a minute at 100k people).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from graphsvc.store import GraphStore
from recommend.inputs import RecommendInputs
from web.state import AnalysisCache


class RecommendationCache:
    """:class:`RecommendInputs` of the store's current data, with their models."""

    def __init__(self, store: GraphStore, analyses: AnalysisCache) -> None:
        self._store = store
        self._analyses = analyses
        self._lock = threading.Lock()
        self._inputs: RecommendInputs | None = None
        self._version: tuple[tuple[str, int], ...] | None = None

    def inputs(self) -> RecommendInputs:
        """The current inputs, feedback re-read (call :meth:`lock` around model use)."""
        version = self._analyses.version()  # the graph's entities, not feedback
        if self._inputs is None or version != self._version:
            self._inputs, self._version = RecommendInputs.load(self._store), version
        self._inputs.refresh_feedback(self._store.feedback())
        return self._inputs

    @property
    def lock(self) -> threading.Lock:
        return self._lock

    def as_of(self, inputs: RecommendInputs) -> datetime:
        """Suggestions are made as of just after the latest interaction."""
        return inputs.latest() + timedelta(seconds=1)

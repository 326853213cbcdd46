"""The analysis cache: one computation per window, kept until the graph itself changes."""

from __future__ import annotations

from datetime import UTC, datetime

from graphsvc.model import Feedback, Person
from graphsvc.store import GraphStore
from web.state import AnalysisCache, WindowKey


def test_a_window_is_analysed_once_and_verdicts_do_not_invalidate_it(store: GraphStore) -> None:
    cache = AnalysisCache(store, freshness_seconds=0.0)  # re-read the counts on every call
    first, report = cache.report(WindowKey())
    assert cache.report(WindowKey()) == (first, report)
    person, other = (p.id for p in list(store.list_people())[:2])
    store.add_feedback([Feedback("fb", person, other, "dismissed", datetime.now(UTC))])
    assert cache.window(WindowKey()) is first  # feedback is not part of the graph
    store.upsert_people([Person("newcomer", "New Comer")])
    assert cache.window(WindowKey()) is not first  # the graph changed: read again

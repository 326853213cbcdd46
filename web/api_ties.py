"""``GET /api/v1/evaluation/ties`` (permission ``view_evaluation``): how long ties last.

Kaplan–Meier survival of cross-community against internal ties
(:func:`analytics.tie_survival.survival_of`) for the network and one community (or every
community), computed once per store version and query. Curves over fewer ties than
``GRAPHSVC_MIN_GROUP_SIZE`` are suppressed: their values are left out.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from analytics.temporal_windows import seconds
from analytics.tie_survival import survival_of
from graphsvc.store import GraphStore
from web import params
from web.api import api, known_community, ok, state
from web.security import requires
from web.state import WindowKey

#: the figures of a curve that suppression leaves out
_FIGURES = ("median_days", "median_low", "median_high")


@api.get("/evaluation/ties")
@requires("view_evaluation")
def evaluation_ties() -> Response:
    """Tie survival: ``community`` (default: every one), ``boundary``, ``kinds``, ``gap``
    (days of silence that end a tie, 90), ``start``/``end``: only the ties first formed in
    ``[start, end)``."""
    community = request.args.get("community") or None
    if community is not None:
        known_community(community)
    window = params.window_key(request.args, state().settings.zone)
    gap = params.number(request.args, "gap", 90.0, 1.0, 3650.0)
    web = state()
    rows = web.report(
        ("ties", community, window, gap), lambda: tie_survival(web.store, community, window, gap)
    )
    minimum = web.settings.min_group_size
    return ok({"gap_days": gap, "items": [suppressed(row, minimum) for row in rows or []]})


def tie_survival(
    store: GraphStore, community: str | None, window: WindowKey, gap: float
) -> list[dict[str, Any]] | None:
    """The survival rows of the store for the window's boundary, kinds and cohort of ties
    formed in ``[start, end)`` (None before any interaction of the kinds)."""
    return survival_of(
        store.interactions(),
        store.memberships(None, kind=window.boundary.value),
        window.kinds,
        community=community,
        gap_days=gap,
        formed_from=seconds(window.start) if window.start else None,
        formed_until=seconds(window.end) if window.end else None,
    )


def suppressed(row: dict[str, Any], minimum: int) -> dict[str, Any]:
    """``row`` with its figures left out when it has fewer than ``minimum`` ties."""
    if row["n"] >= minimum:
        return {**row, "suppressed": False}
    hidden = {k: None for k in _FIGURES} | {k: None for k in row if k.startswith("surviving_")}
    return {**row, **hidden, "ended": None, "suppressed": True}

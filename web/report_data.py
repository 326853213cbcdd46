"""Everything the evaluation report shows, read from the store (for the page and the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from graphsvc.config import Settings
from graphsvc.errors import NotFound
from graphsvc.model import FeedbackVerdict
from graphsvc.store import GraphStore
from recommend.outcomes import conversion_rates, introductions
from web.api_interventions import intervention_report
from web.api_ties import suppressed, tie_survival
from web.evaluation_view import objective_document, series_document
from web.report import report_html
from web.state import WindowKey


def build_report(
    store: GraphStore,
    settings: Settings,
    community_id: str | None,
    activity_ids: Sequence[str] = (),
) -> str:
    """The self-contained HTML report of a community (None: the network)."""
    communities = {c.id: c for c in store.list_communities()}
    if community_id is not None and community_id not in communities:
        raise NotFound("community", community_id)
    community = communities.get(community_id) if community_id else None
    minimum = settings.min_group_size
    document = series_document(store, community_id, minimum)
    return report_html(
        title=f"Evaluation report: {community.name if community else 'the whole network'}",
        community=community,
        series=document["series"],
        objectives=[
            objective_document(store, o, minimum)
            for o in store.objectives(community_id)
            if o.community_id == community_id  # the network's own objectives for the network
        ],
        stories=store.stories(community_id),
        interventions=[intervention_report(store, a) for a in activity_ids],
        conversion=conversion_of(store, community_id),
        variant=document["variant"],
        min_group=minimum,
        ties=ties_of(store, community_id, minimum),
    )


def conversion_of(store: GraphStore, community_id: str | None) -> dict[str, object] | None:
    """Introductions made for the community (all when None) and how many became ties."""
    feedback = [f for f in store.feedback() if community_id in (None, f.community_id)]
    accepted = [f for f in feedback if f.verdict is FeedbackVerdict.ACCEPTED]
    if not accepted:
        return None  # no introduction: no need to read the interactions
    since = min(f.at for f in accepted)  # only what follows an introduction counts
    made = introductions(accepted, store.interactions(start=since), datetime.now(UTC))
    rows = conversion_rates(made, "all")
    return rows[0].__dict__ if rows else None


def ties_of(store: GraphStore, community_id: str | None, minimum: int) -> list[dict[str, Any]]:
    """How long the network's ties (and the community's) last, small curves suppressed."""
    rows = tie_survival(store, community_id, WindowKey(), 90.0) or []
    return [suppressed(r, minimum) for r in rows if r["scope"] in ("network", community_id)]

"""``/api/v1`` for moderators: suggestions with their reasons, cohort matching, verdicts and
introductions (permission ``view_recommendations``).

A moderator with a scope (``graphsvc users scope``) sees only the people who belong to one
of their communities and only those communities' pages; people with consent = no are never
suggested, never get suggestions, and are not found. A verdict (``POST /feedback``) is
stored at once: a declined pair rests (``GRAPHSVC_DECLINE_REST_DAYS``, 180 by default;
"already know" for ever), an accepted one
is an introduction whose outcome the introductions list follows (:mod:`recommend.outcomes`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Response, request
from werkzeug.exceptions import Forbidden

from graphsvc.errors import NotFound
from graphsvc.model import Feedback, FeedbackVerdict
from recommend.cli import cohort_document, collaborator_document, mentor_document
from recommend.inputs import RecommendInputs
from recommend.outcomes import conversion_rates, introductions
from web import params
from web.api import api, created, json_body, known_community, ok, state, user_name
from web.recommendations_state import RecommendationCache
from web.security import current_user, requires

VERDICTS = ("accepted", "declined", "dismissed")
RECOMMENDERS = ("collaborator", "mentor")
MODERATION_MENTORS = 3


def cache() -> RecommendationCache:
    found: RecommendationCache = state().recommendations
    return found


@api.get("/recommendations/collaborators")
@requires("view_recommendations")
def collaborators() -> Response:
    """Collaborators for ``person`` (``k``, ``strength`` β, ``min_cross`` q, ``boundary``)."""
    person_id = params.required(request.args, "person")
    k = params.integer(request.args, "k", 10, 1, 50)
    strength = params.number(request.args, "strength", 0.5, 0.0, 10.0)
    min_cross = params.integer(request.args, "min_cross", 2, 0, 50)
    boundary = params.window_key(request.args, state().settings.zone).boundary
    with cache().lock:
        inputs = cache().inputs()
        as_of = cache().as_of(inputs)
        _check_person(inputs, person_id, as_of)
        rows = collaborator_document(
            inputs, person_id, as_of, k=k, boundary=boundary.value, strength=strength,
            min_cross=min_cross, rest_days=state().settings.decline_rest_days,
        )  # fmt: skip
    return ok({"person": person_id, "as_of": as_of.isoformat(), "items": rows})


@api.get("/recommendations/mentors")
@requires("view_recommendations")
def mentors() -> Response:
    """Mentors with free slots for ``person`` (``k``)."""
    person_id = params.required(request.args, "person")
    k = params.integer(request.args, "k", 5, 1, 50)
    with cache().lock:
        inputs = cache().inputs()
        as_of = cache().as_of(inputs)
        _check_person(inputs, person_id, as_of)
        rows = mentor_document(inputs, person_id, as_of, k)
    return ok({"person": person_id, "as_of": as_of.isoformat(), "items": rows})


@api.get("/communities/<community_id>/matching")
@requires("view_recommendations")
def matching(community_id: str) -> Response:
    """Cohort matching of the community's unmentored mentees (``all_members``,
    ``balance`` λ, ``min_fit``)."""
    all_members = params.one_of(request.args, "all_members", ("true", "false"), "false")
    balance = params.number(request.args, "balance", 0.0, 0.0, 10.0)
    min_fit = params.number(request.args, "min_fit", 0.0, 0.0, 10.0)
    _check_community(community_id)
    with cache().lock:
        inputs = cache().inputs()
        document = cohort_document(
            inputs, community_id, cache().as_of(inputs), all_members == "true", balance, min_fit
        )
    return ok(document)


@api.get("/communities/<community_id>/moderation")
@requires("view_recommendations")
def moderation(community_id: str) -> Response:
    """Members without a mentor with their best mentors, and the community's verdicts with
    the introductions' outcomes and conversion rates."""
    _check_community(community_id)
    with cache().lock:
        inputs = cache().inputs()
        as_of = cache().as_of(inputs)
        model = inputs.mentor_model(as_of)
        names = inputs.names()
        waiting = [
            {"id": pid, "name": names[pid], "mentors": mentor_document(inputs, pid, as_of, 3)}
            for pid in inputs.unmentored(model, community_id, as_of, all_members=True)
        ]
        verdicts = [row for row in inputs.feedback if row.community_id == community_id]
        made = introductions(verdicts, inputs.interactions, datetime.now(UTC))
    return ok(
        {
            "community": community_id,
            "as_of": as_of.isoformat(),
            "members": inputs.community_members(community_id, as_of, names),
            "unmentored": waiting,
            "verdicts": [_verdict(row, names) for row in reversed(verdicts)],
            "introductions": [_introduction(intro, names) for intro in made],
            "conversion": {
                by: [row.__dict__ for row in conversion_rates(made, by)]
                for by in ("all", "recommender", "moderator")
            },
        }
    )


@api.post("/feedback")
@requires("view_recommendations")
def feedback() -> Response:
    """Record a moderator's verdict: JSON ``{person, suggested, verdict, recommender,
    reason?, community?}`` (``reason`` required when declined)."""
    body = json_body()
    person_id, suggested_id = params.required(body, "person"), params.required(body, "suggested")
    verdict = params.one_of(body, "verdict", VERDICTS, "")
    recommender = params.one_of(body, "recommender", RECOMMENDERS, "collaborator")
    community_id = body.get("community") or None
    with cache().lock:
        inputs = cache().inputs()
        as_of = cache().as_of(inputs)
        _check_person(inputs, person_id, as_of)
        _check_person(inputs, suggested_id, as_of, scoped=False)
        if community_id is not None:
            _check_community(str(community_id))
        row = Feedback(
            f"fb-{uuid.uuid4().hex}", person_id, suggested_id, FeedbackVerdict(verdict),
            datetime.now(UTC), recommender=recommender, reason=body.get("reason") or None,
            moderator=user_name(), community_id=community_id,
        )  # fmt: skip
        state().store.add_feedback([row])
    return created({"feedback": _verdict(row, inputs.names())})


def _verdict(row: Feedback, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row.id, "person": row.person_id, "person_name": names.get(row.person_id),
        "suggested": row.suggested_id, "suggested_name": names.get(row.suggested_id),
        "verdict": row.verdict.value, "reason": row.reason.value if row.reason else None,
        "recommender": row.recommender, "moderator": row.moderator,
        "community": row.community_id, "at": row.at.isoformat(),
    }  # fmt: skip


def _introduction(intro: Any, names: dict[str, str]) -> dict[str, Any]:
    first = intro.first_contact
    return {
        **_verdict(intro.feedback, names), "status": intro.status,
        "first_contact": first.isoformat() if first else None,
        "window_ends": intro.window_ends.isoformat(),
    }  # fmt: skip


def _check_person(
    inputs: RecommendInputs, person_id: str, as_of: datetime, *, scoped: bool = True
) -> None:
    """Unknown and private people are not found; a scoped moderator may act only for
    members of their communities."""
    if not inputs.person(person_id).consent:
        raise NotFound("person", person_id)
    user = current_user()
    if scoped and user is not None and not user.acts_for(inputs.communities_of(person_id, as_of)):
        raise Forbidden(f"{person_id} belongs to none of your communities")


def _check_community(community_id: str) -> None:
    known_community(community_id)
    user = current_user()
    if user is not None and not user.acts_for([community_id]):
        raise Forbidden(f"{community_id} is not one of your communities")

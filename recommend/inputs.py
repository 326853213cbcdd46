"""What the recommenders read from a store, loaded once: people, communities, memberships,
interactions and feedback, with the models fitted on them (cached per cut).

Only the commands and the web app build it (they hold a store); the recommenders get the
plain values. Feedback shapes the suggestions: declined pairs rest, introductions made are
not suggested again, accepted mentor introductions count as current mentees, and pending
introductions are the load of the people they introduced (METRICS.md R5, R9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from graphsvc.errors import NotFound, ValidationError
from graphsvc.model import (
    Community,
    CommunityKind,
    Feedback,
    FeedbackVerdict,
    InteractionArrays,
    Membership,
    MembershipRole,
    Person,
)
from recommend.history import TieHistory
from recommend.mentors import MentorRecommender
from recommend.model import CollaboratorModel
from recommend.outcomes import (
    DEFAULT_CONVERSION_DAYS,
    introductions,
    outcome_labels,
    suppressed_pairs,
)


@dataclass
class RecommendInputs:
    """One read of the store; models fitted on demand and kept per (boundary, cut)."""

    people: list[Person]
    communities: list[Community]
    memberships: list[Membership]
    interactions: InteractionArrays
    feedback: list[Feedback]
    _models: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, store: Any) -> RecommendInputs:
        """Everything from ``store`` (a :class:`graphsvc.store.GraphStore`)."""
        return cls(
            people=list(store.list_people()),
            communities=list(store.list_communities()),
            memberships=list(store.list_memberships()),
            interactions=store.interactions(),
            feedback=store.feedback(),
        )

    def refresh_feedback(self, feedback: list[Feedback]) -> None:
        """Take the store's current feedback; mentor models (which count accepted mentor
        introductions as mentees) are refitted when it changed, collaborator models kept."""
        if feedback != self.feedback:
            self.feedback = feedback
            for key in [key for key in self._models if key[0] == "mentors"]:
                del self._models[key]

    def person(self, person_id: str) -> Person:
        for person in self.people:
            if person.id == person_id:
                return person
        raise NotFound("person", person_id)

    def communities_of(self, person_id: str, moment: datetime) -> set[str]:
        """The communities ``person_id`` belongs to at ``moment`` (any kind)."""
        return {
            m.community_id
            for m in self.memberships
            if m.person_id == person_id and m.active_at(moment)
        }

    def community_members(
        self, community_id: str, moment: datetime, names: dict[str, str]
    ) -> list[dict[str, Any]]:
        """The named members of ``community_id`` at ``moment`` with their roles, by name."""
        roles: dict[str, list[str]] = {}
        for m in self.memberships:
            if m.community_id == community_id and m.active_at(moment) and m.person_id in names:
                roles.setdefault(m.person_id, []).append(m.role.value)
        rows = [{"id": pid, "name": names[pid], "roles": sorted(r)} for pid, r in roles.items()]
        return sorted(rows, key=lambda row: (row["name"].casefold(), row["id"]))

    def names(self) -> dict[str, str]:
        """Names of the people who consented (no one else is ever named)."""
        return {p.id: p.name for p in self.people if p.consent}

    def community_names(self) -> dict[str, str]:
        return {c.id: c.name for c in self.communities}

    def latest(self) -> datetime:
        """The time of the last interaction (now when there is none)."""
        if not len(self.interactions):
            return datetime.now(UTC)
        return datetime.fromtimestamp(int(np.max(self.interactions.at)), tz=UTC)

    def history(self, boundary: CommunityKind | str) -> TieHistory:
        key = ("history", CommunityKind(boundary))
        if key not in self._models:
            self._models[key] = TieHistory.build(
                self.interactions, self.memberships, self.people, self.communities,
                boundary=CommunityKind(boundary),
            )  # fmt: skip
        history: TieHistory = self._models[key]
        return history

    def collaborator_model(self, boundary: CommunityKind | str, cut: datetime) -> CollaboratorModel:
        """The collaborator model fitted on the history before ``cut``, with the outcomes
        of past introductions as labelled rows (kept until the data change: outcomes count
        on the next fit, not on every verdict)."""
        key = ("collaborators", CommunityKind(boundary), cut)
        if key not in self._models:
            now = datetime.now(UTC)
            made = introductions(self.feedback, self.interactions, now)
            labels = outcome_labels(made, self.feedback)
            self._models[key] = self._fit_collaborators(self.history(boundary), cut, labels)
        model: CollaboratorModel = self._models[key]
        return model

    def _fit_collaborators(
        self, history: TieHistory, cut: datetime, labels: list[tuple[str, str, int, float]]
    ) -> CollaboratorModel:
        """Fit with a 90-day training window; a younger network (less than a few months of
        data) learns from the ties of the second half, then the last quarter, of its span."""
        span_days = (cut - self._earliest()).total_seconds() / 86_400
        for horizon in (90.0, span_days / 2, span_days / 4):
            if horizon < 1:
                break
            try:
                return CollaboratorModel(horizon_days=horizon).fit(history, cut, labels)
            except ValidationError:
                continue
        raise ValidationError(
            "history",
            f"too little history to learn who meets whom: {len(self.interactions)} interactions"
            f" over {span_days:.0f} days, and no new ties in a training window",
        )

    def _earliest(self) -> datetime:
        if not len(self.interactions):
            return datetime.now(UTC)
        return datetime.fromtimestamp(int(np.min(self.interactions.at)), tz=UTC)

    def mentor_model(
        self, cut: datetime, boundary: CommunityKind | str = "cop"
    ) -> MentorRecommender:
        """Mentor profiles and capacities as of ``cut``; accepted mentor introductions made
        before it count as current mentees."""
        key = ("mentors", CommunityKind(boundary), cut)
        if key not in self._models:
            recommender = MentorRecommender(boundary=CommunityKind(boundary))
            self._models[key] = recommender.fit(
                self.people, self.interactions, self.memberships, self.communities, cut,
                extra_mentees=self._mentor_introductions(cut, recommender.active_days),
            )  # fmt: skip
        model: MentorRecommender = self._models[key]
        return model

    def suppressed(self, now: datetime, rest_days: int) -> set[frozenset[str]]:
        return suppressed_pairs(self.feedback, now, rest_days)

    def pending_load(self, now: datetime | None = None) -> dict[str, float]:
        """Person id → introductions to them still waiting for a first contact."""
        moment = now or datetime.now(UTC)
        load: dict[str, float] = {}
        for intro in introductions(
            self.feedback, self.interactions, moment, DEFAULT_CONVERSION_DAYS
        ):
            if intro.status == "pending":
                load[intro.feedback.suggested_id] = load.get(intro.feedback.suggested_id, 0) + 1
        return load

    def unmentored(
        self, model: MentorRecommender, community_id: str, cut: datetime, all_members: bool
    ) -> list[str]:
        """Consenting current members of the community (role mentee unless ``all_members``)
        whom no one mentors now, by id."""
        mentored = np.asarray(model.mentoring_.sum(axis=0)).ravel() > 0
        wanted = {
            m.person_id
            for m in self.memberships
            if m.community_id == community_id
            and m.active_at(cut)
            and (all_members or m.role is MembershipRole.MENTEE)
        }
        return sorted(
            pid
            for pid in wanted
            if pid in model.index_
            and model.consent_[model.index_[pid]]
            and not mentored[model.index_[pid]]
        )

    def available_mentors(self, model: MentorRecommender) -> list[str]:
        """Consenting people with free mentoring slots, by id."""
        ids = model.profiles_.person_ids if model.profiles_ else ()
        return [pid for i, pid in enumerate(ids) if model.free_[i] > 0 and model.consent_[i]]

    def _mentor_introductions(self, cut: datetime, active_days: float) -> list[tuple[str, str]]:
        """(mentor, mentee) of accepted mentor introductions in the ``active_days`` before
        the later of ``cut`` and now: an introduction is a real-world event, so one made
        today takes a slot even when the data end earlier."""
        until = max(cut, datetime.now(UTC))
        since = until - timedelta(days=active_days)
        return [
            (row.suggested_id, row.person_id)
            for row in self.feedback
            if row.recommender == "mentor"
            and row.verdict is FeedbackVerdict.ACCEPTED
            and since <= row.at <= until
        ]

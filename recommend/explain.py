"""Suggestions in words (METRICS.md R7; Herlocker et al. 2000, Tintarev & Masthoff 2007).

Each sentence states one checkable fact gathered with the suggestion — mutual contacts,
shared topics, the communities it would connect and how few people connect them today,
the mentor's answers on the topic and free slots. Names come from ``names`` (consenting
people only: a contact missing from it is counted, never named), community names from
``community_names``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from recommend.mentors import MentorSuggestion
from recommend.suggestion import Suggestion

#: mutual contacts named at most
NAMED_MUTUAL = 3


def collaborator_reasons(
    suggestion: Suggestion, names: Mapping[str, str], community_names: Mapping[str, str]
) -> list[str]:
    """The facts behind a collaborator suggestion, strongest evidence first."""
    reasons = []
    if suggestion.n_mutual:
        reasons.append(_mutual_sentence(suggestion.mutual_ids, suggestion.n_mutual, names))
    if suggestion.shared_topics:
        reasons.append(f"Shares topics: {_listing(suggestion.shared_topics)}.")
    if suggestion.cross and suggestion.connects is not None:
        a, b = (community_names.get(c, c) for c in suggestion.connects)
        ties, carriers = suggestion.group_ties or 0, suggestion.spanners or 0
        if ties == 0:
            reasons.append(f"Would make the first tie between {a} and {b}.")
        else:
            people = "person carries" if carriers == 1 else "people carry"
            reasons.append(
                f"Would connect {a} and {b}: {_count(ties, 'tie')} between them today,"
                f" which {carriers} {people}."
            )
    return reasons or ["Active in the same part of the network."]


def mentor_reasons(
    suggestion: MentorSuggestion, community_names: Mapping[str, str] | None = None
) -> list[str]:
    """The facts behind a mentor suggestion: topics, answers, free slots, bridging."""
    reasons = []
    if suggestion.shared_topics:
        reasons.append(f"Knows what they need: {_listing(suggestion.shared_topics)}.")
    given = {topic: n for topic, n in suggestion.answers.items() if n > 0}
    if given:
        parts = [f"{_count(n, 'time')} on {topic}" for topic, n in given.items()]
        reasons.append(f"Has shared knowledge {_listing(parts)}.")
    reasons.append(f"{suggestion.free_slots} of {suggestion.capacity} mentoring slots free.")
    if suggestion.cross_community:
        reasons.append("From another community: the pairing crosses a boundary.")
    return reasons


def _mutual_sentence(ids: Sequence[str], total: int, names: Mapping[str, str]) -> str:
    named = [names[pid] for pid in ids if pid in names][:NAMED_MUTUAL]
    others = total - len(named)
    if not named:
        return f"{_count(total, 'mutual contact')}."
    listed = ", ".join(named) + (f" and {_count(others, 'other')}" if others else "")
    return f"{_count(total, 'mutual contact')}: {listed}."


def _listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"

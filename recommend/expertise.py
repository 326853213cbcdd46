"""Who knows what, and who needs what: people × topics matrices as of a cut (METRICS.md R2, R6).

Direction convention (DESIGN.md interactions): in a ``knowledge_exchange`` the source gives
and the target receives (an answer, a shared document, advice); in ``mentoring`` the source
is the mentor. So, per person ``p`` and topic ``t`` before the cut:

* ``answers[p, t]`` = knowledge given on ``t`` (knowledge exchanges and mentoring sessions
  with ``p`` as source), ``questions[p, t]`` = knowledge received on ``t``;
* **Zhang et al. (2007) z-score** ``z = (a − q) / √(a + q)`` (0 when ``a + q = 0``): how much
  more someone answers than asks on a topic;
* **expertise** ``e[p, t] = declared[p, t]·(1 + ½·role[p]) + ½·max(z, 0)``, where
  ``declared`` is 1 for the person's declared expertise and ``role`` 1 when they hold an
  expert, mentor or champion role in some community (Balog et al. 2006: declared and
  demonstrated evidence combined; a role strengthens what one declares, it adds no topic);
* **need** ``n[p, t] = interest[p, t] + ln(1 + q[p, t])``: the topics they list as
  interests and the ones they keep asking about.

Topics are compared case-folded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp

from graphsvc.model import InteractionArrays, InteractionKind, Membership, MembershipRole, Person

#: roles that count as evidence of expertise
EXPERT_ROLES = frozenset({MembershipRole.EXPERT, MembershipRole.MENTOR, MembershipRole.CHAMPION})
GIVING_KINDS = (InteractionKind.KNOWLEDGE_EXCHANGE, InteractionKind.MENTORING)


@dataclass(frozen=True)
class TopicProfiles:
    """People × topics evidence (rows follow ``person_ids``, columns ``topics``)."""

    person_ids: tuple[str, ...]
    topics: tuple[str, ...]
    declared: sp.csr_matrix
    interests: sp.csr_matrix
    answers: sp.csr_matrix
    questions: sp.csr_matrix
    expert_role: np.ndarray

    @property
    def zhang_z(self) -> sp.csr_matrix:
        """``(a − q) / √(a + q)`` per person and topic (0 where neither)."""
        total = sp.csr_matrix(self.answers + self.questions)
        diff = sp.csr_matrix(self.answers - self.questions)
        return sp.csr_matrix(diff.multiply(total.power(-0.5)))

    @property
    def expertise(self) -> sp.csr_matrix:
        """``declared·(1 + ½·role) + ½·max(z, 0)`` (module doc)."""
        strength = sp.diags(1.0 + 0.5 * self.expert_role.astype(float))
        positive_z = self.zhang_z.maximum(0)
        return sp.csr_matrix(strength @ self.declared + 0.5 * positive_z)

    @property
    def need(self) -> sp.csr_matrix:
        """``interest + ln(1 + q)`` (module doc)."""
        asked = self.questions.copy()
        asked.data = np.log1p(asked.data)
        return sp.csr_matrix(self.interests + asked)


def topic_profiles(
    people: Sequence[Person],
    interactions: InteractionArrays,
    memberships: Iterable[Membership],
    cut: datetime,
) -> TopicProfiles:
    """The :class:`TopicProfiles` of ``people`` from interactions before ``cut`` and the
    memberships active at it."""
    person_ids = tuple(p.id for p in people)
    row_of = {pid: i for i, pid in enumerate(person_ids)}
    vocabulary = sorted(
        {t.casefold() for p in people for t in (*p.topics, *p.expertise)}
        | {t.casefold() for t in interactions.topics}
    )
    column_of = {topic: j for j, topic in enumerate(vocabulary)}
    shape = (len(person_ids), len(vocabulary))
    declared = _listed(people, column_of, shape, lambda p: p.expertise)
    interests = _listed(people, column_of, shape, lambda p: p.topics)
    answers, questions = _given_and_received(interactions, row_of, column_of, shape, cut)
    expert_role = np.zeros(len(person_ids), dtype=bool)
    for m in memberships:
        if m.role in EXPERT_ROLES and m.person_id in row_of and m.active_at(cut):
            expert_role[row_of[m.person_id]] = True
    return TopicProfiles(
        person_ids, tuple(vocabulary), declared, interests, answers, questions, expert_role
    )


def _listed(
    people: Sequence[Person],
    column_of: dict[str, int],
    shape: tuple[int, int],
    field: Callable[[Person], Iterable[str]],
) -> sp.csr_matrix:
    """1 where person ``i`` lists topic ``j`` in ``field(person)``."""
    rows, cols = [], []
    for i, person in enumerate(people):
        for j in sorted({column_of[t.casefold()] for t in field(person)}):
            rows.append(i)
            cols.append(j)
    data = np.ones(len(rows))
    return sp.csr_matrix((data, (rows, cols)), shape=shape)


def _given_and_received(
    arrays: InteractionArrays,
    row_of: dict[str, int],
    column_of: dict[str, int],
    shape: tuple[int, int],
    cut: datetime,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Counts of knowledge given (as source) and received (as target) per person and topic,
    over knowledge exchanges and mentoring sessions with a topic, before ``cut``."""
    kinds = [arrays.kinds.index(kind.value) for kind in GIVING_KINDS]
    keep = (
        np.isin(arrays.kind, kinds)
        & (np.asarray(arrays.topic) >= 0)
        & (np.asarray(arrays.at) < cut.timestamp())
    )
    # map the arrays' own person and topic indexes onto the profiles' rows and columns
    person_row = np.array([row_of.get(pid, -1) for pid in arrays.person_ids], dtype=np.int64)
    topic_col = np.array([column_of[t.casefold()] for t in arrays.topics], dtype=np.int64)
    source = person_row[np.asarray(arrays.source)[keep]] if len(person_row) else np.array([], int)
    target = person_row[np.asarray(arrays.target)[keep]] if len(person_row) else np.array([], int)
    topic = topic_col[np.asarray(arrays.topic)[keep]] if len(topic_col) else np.array([], int)
    return _counts(source, topic, shape), _counts(target, topic, shape)


def _counts(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    known = rows >= 0
    data = np.ones(int(known.sum()))
    return sp.csr_matrix((data, (rows[known], cols[known])), shape=shape)

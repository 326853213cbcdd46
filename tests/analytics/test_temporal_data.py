"""Temporal indicators on real and generated data: email-Eu-core and the demo world."""

from __future__ import annotations

import numpy as np
import pytest
from datasets import email_eu_core, email_eu_core_events

from analytics.temporal import IndicatorTable, TemporalOptions, temporal_indicators
from analytics.temporal_windows import membership_arrays, seconds
from graphsvc.demo import DemoWorld, generate
from graphsvc.model import CommunityKind, InteractionArrays, InteractionKind, Membership

KINDS = tuple(k.value for k in InteractionKind)


def test_email_eu_core_monthly_cross_department_share_equals_a_plain_count() -> None:
    source, target, at = email_eu_core_events()  # static ids through the derived node map
    departments = email_eu_core().labels
    department = [departments.groups[min(s)] for s in departments.sets]
    n, count = len(department), len(at)
    people = tuple(f"{i:04d}" for i in range(n))
    events = InteractionArrays(
        person_ids=people,
        source=source.astype(np.int32),
        target=target.astype(np.int32),
        at=at.astype(np.int64),  # seconds from an anonymised start, read as from 1970
        weight=np.ones(count),
        directed=np.ones(count, dtype=bool),
        kind=np.full(count, KINDS.index("communication"), dtype=np.int8),
        community=np.full(count, -1, dtype=np.int32),
        topic=np.full(count, -1, dtype=np.int32),
    )
    members = membership_arrays(
        [Membership(people[i], f"dept{department[i]}") for i in range(n)], people
    )
    table = temporal_indicators(
        events, members, "month", TemporalOptions(replicates=20, permutations=0)
    )
    # the independent count: calendar month of each e-mail, then a loop over the months
    month = at.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    crossing = np.array(
        [department[s] != department[t] for s, t in zip(source, target, strict=True)]
    )
    expected, sizes = [], []
    for m in range(int(month.min()), int(month.max()) + 1):
        inside = month == m
        sizes.append(int(inside.sum()))
        expected.append(crossing[inside].mean() if inside.any() else np.nan)
    assert len(table.windows) == len(expected) == 27  # January 1970 to March 1972
    assert table.n_interactions[:, 0].tolist() == sizes
    np.testing.assert_allclose(
        table.network("cross_share").value, expected, rtol=0, atol=1e-12, equal_nan=True
    )
    # the README's whole-history figure: 41% of events cross a department boundary
    assert crossing.mean() == pytest.approx(0.412, abs=0.001)
    first = table.network("cross_share")
    assert first.low[0] < first.value[0] < first.high[0]


def demo_arrays(world: DemoWorld) -> InteractionArrays:
    """The world's interactions as columns, sorted by time."""
    rows = sorted(world.interactions, key=lambda i: i.at)
    people = sorted(p.id for p in world.people)
    index = {p: i for i, p in enumerate(people)}
    count = len(rows)
    return InteractionArrays(
        person_ids=tuple(people),
        source=np.array([index[i.source_id] for i in rows], dtype=np.int32),
        target=np.array([index[i.target_id] for i in rows], dtype=np.int32),
        at=np.array([seconds(i.at) for i in rows], dtype=np.int64),
        weight=np.array([i.weight for i in rows]),
        directed=np.array([bool(i.directed) for i in rows]),
        kind=np.array([KINDS.index(i.kind.value) for i in rows], dtype=np.int8),
        community=np.full(count, -1, dtype=np.int32),
        topic=np.full(count, -1, dtype=np.int32),
    )


@pytest.fixture(scope="module")
def demo() -> tuple[DemoWorld, IndicatorTable]:
    world = generate(people=500, months=12, seed=7)
    events = demo_arrays(world)
    cops = {c.id for c in world.communities if c.kind is CommunityKind.COP}
    members = membership_arrays(
        [m for m in world.memberships if m.community_id in cops], events.person_ids
    )
    options = TemporalOptions(replicates=100, permutations=49, seed=1)
    return world, temporal_indicators(events, members, "month", options)


def test_demo_indicators_are_finite_where_the_data_suffice(
    demo: tuple[DemoWorld, IndicatorTable],
) -> None:
    _, table = demo
    assert len(table.windows) == 12 and len(table.groups) == 8
    ok = ~table.insufficient
    assert ok[:, 0].all() and ok.sum() > 0.8 * ok.size
    for name in ("cross_share", "cross_share_baseline", "active_spanner_share", "jaccard",
                 "ei_excess", "ei_p", "pairs_connected", "reach_2"):  # fmt: skip
        assert np.isfinite(table.estimates[name].value[ok]).all(), name
    for name in ("cross_share", "active_spanner_share", "jaccard", "ei_excess"):
        e = table.estimates[name]
        assert np.isfinite(e.low[ok]).all() and np.isfinite(e.high[ok]).all(), name
        assert np.all(e.low[ok] <= e.value[ok] + 1e-9) and np.all(e.value[ok] <= e.high[ok] + 1e-9)
    later = ok[1:, 0]  # retention needs a previous month with cross ties
    assert np.isfinite(table.estimates["retention"].value[1:, 0][later]).all()
    assert np.isnan(table.estimates["retention"].value[0, 0])  # nothing before the start


def test_demo_silo_crosses_less_than_the_network(demo: tuple[DemoWorld, IndicatorTable]) -> None:
    world, table = demo
    silo = world.ground_truth["silo_community"]
    network, own = table.network("cross_share"), table.group("cross_share", silo)
    assert (own.value < network.value).sum() >= 10  # of 12 months (measured: all 12)
    sufficient = ~table.insufficient[:, 1 + table.groups.index(silo)]
    assert sufficient.sum() >= 4
    # where the silo has enough data its whole interval lies below the network's
    assert np.all(own.high[sufficient] < network.low[sufficient])
    # and it looks inward beyond random mixing every month (E-I below EI₀)
    assert np.all(table.group("ei_excess", silo).value < 0)

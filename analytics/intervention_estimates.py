"""The before/after estimates of one intervention from the interaction arrays.

Each function builds the outcome (:mod:`analytics.intervention_outcome`) and hands it to a
method: :func:`its_for_intervention` (interrupted time series,
:mod:`analytics.intervention_its`), :func:`did_for_intervention` (matched
difference-in-differences, :mod:`analytics.intervention_did`), :func:`placebo_test` (either
estimate at placebo dates) and :func:`change_points_for` (PELT,
:mod:`analytics.intervention_changepoint`). METRICS.md §4 "Before/after an intervention".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from analytics.intervention_boundary import Boundary
from analytics.intervention_changepoint import ChangePointResult, change_points
from analytics.intervention_did import DiDResult, difference_in_differences
from analytics.intervention_its import ITSResult, interrupted_time_series
from analytics.intervention_outcome import Measure, OutcomeSeries, outcome_series, person_panel
from analytics.intervention_series import (
    POST,
    PRE,
    TRANSITION,
    Estimate,
    Intervention,
    OutcomeOptions,
    iso_day,
    person_mask,
    phases,
    plain,
    select_rows,
)
from graphsvc.errors import ValidationError
from graphsvc.model import InteractionArrays

Method = Literal["did", "its"]
ItsEffect = Literal["level_change", "slope_change", "mean_post_effect"]


def its_for_intervention(
    arrays: InteractionArrays,
    boundary: Boundary,
    intervention: Intervention,
    options: OutcomeOptions | None = None,
    *,
    people: Sequence[str] | None = None,
    measure: Measure = "cross",
    maxlags: int | None = None,
    level: float = 0.95,
) -> ITSResult:
    """Interrupted time series of a group's cross-community interactions (Bernal et al.
    2017): ``Y_t = β0 + β1·t + β2·D_t + β3·(t − T0)·D_t + ε_t`` with HAC errors.

    Parameters
    ----------
    arrays, boundary
        The interactions and which of them cross.
    intervention
        The date T0 (its first post period) and participants.
    options
        Kinds, periods, weighting, event exclusion, transition handling.
    people
        The group (default: the participants; everyone when there are none).
    measure
        ``"cross"`` (count or weight of crossing interactions) or ``"share"`` (of all).
    maxlags, level
        Newey–West lags (default by rule) and interval level.

    Examples
    --------
    >>> from analytics.intervention_outcome import example_world
    >>> arrays, boundary, workshop = example_world()
    >>> fit = its_for_intervention(arrays, boundary, workshop)
    >>> fit.observed.tolist(), fit.t0, round(fit.level_change.estimate, 6)
    ([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0], 7, 1.0)
    """
    options = options or OutcomeOptions()
    group = people if people is not None else (intervention.participants or None)
    series = outcome_series(arrays, boundary, group, intervention, options)
    phase = series.phase if series.phase is not None else np.zeros(0, np.int8)
    if not (phase == POST).any():
        raise ValidationError("intervention", "no period after the intervention")
    keep = phase != TRANSITION
    return interrupted_time_series(
        series.values(measure)[keep],
        int(np.flatnonzero(phase == POST)[0]),
        time=np.arange(len(phase))[keep],
        maxlags=maxlags,
        level=level,
        period_start=series.period_start[keep],
    )


def did_for_intervention(
    arrays: InteractionArrays,
    boundary: Boundary,
    intervention: Intervention,
    options: OutcomeOptions | None = None,
    *,
    eligible: Sequence[str] | None = None,
    permutations: int = 999,
    bootstrap: int = 999,
    level: float = 0.95,
    seed: int = 0,
) -> DiDResult:
    """Participants vs matched non-participants: ``τ = mean_T(d) − mean_C(d)`` with
    ``d_i = mean_post Y_it − mean_pre Y_it`` (cross interactions per person per period).

    Controls share the participant's stratum (``boundary.stratum``) and are the nearest on
    pre-period activity; ``eligible`` (person ids) restricts who may serve (e.g. members
    through the whole window; default: every non-participant). Randomisation p and
    pair-bootstrap interval: :func:`~analytics.intervention_did.difference_in_differences`.

    Examples
    --------
    >>> from analytics.intervention_outcome import example_world
    >>> arrays, boundary, workshop = example_world()
    >>> did = did_for_intervention(arrays, boundary, workshop, permutations=99)
    >>> did.effect.estimate, len(did.pairs), did.pre_periods, did.post_periods
    (1.0, 2, 6, 5)
    """
    options = options or OutcomeOptions()
    if not intervention.participants:
        raise ValidationError("participants", "difference-in-differences needs participants")
    panel = person_panel(arrays, boundary, intervention, options)
    return difference_in_differences(
        panel.cross,
        panel.total,
        person_mask(arrays, intervention.participants),
        boundary.stratum,
        phases(panel.grid, intervention, options.transition),
        eligible=None if eligible is None else person_mask(arrays, eligible),
        permutations=permutations,
        bootstrap=bootstrap,
        level=level,
        seed=seed,
        person_ids=arrays.person_ids,
    )


@dataclass(frozen=True)
class PlaceboResult:
    """The real estimate and the same estimate at placebo dates (data before the real
    event's first non-pre period only)."""

    estimator: Method
    effect: str
    real: Estimate
    dates: tuple[str, ...]
    placebos: tuple[Estimate, ...]
    min_side: int
    data_until: str

    @property
    def share_as_extreme(self) -> float:
        """Share of placebos with ``|effect| ≥ |real effect|`` (NaN without placebos)."""
        if not self.placebos:
            return math.nan
        real = abs(self.real.estimate)
        return sum(abs(p.estimate) >= real for p in self.placebos) / len(self.placebos)

    def to_dict(self) -> dict[str, Any]:
        """Keys: ``method`` ("placebo"), ``estimator`` ("did"/"its"), ``effect`` (the
        coefficient compared), ``real`` (an estimate dict), ``placebos`` (``{date,
        estimate, ci_low, ci_high, p, se, level}``), ``n_placebos``, ``share_as_extreme``,
        ``min_side``, ``data_until`` (the cut date)."""
        return {
            "method": "placebo",
            "estimator": self.estimator,
            "effect": self.effect,
            "real": self.real.to_dict(),
            "placebos": [
                {"date": d, **p.to_dict()} for d, p in zip(self.dates, self.placebos, strict=True)
            ],
            "n_placebos": len(self.placebos),
            "share_as_extreme": plain(self.share_as_extreme),
            "min_side": self.min_side,
            "data_until": self.data_until,
        }


def placebo_test(
    arrays: InteractionArrays,
    boundary: Boundary,
    intervention: Intervention,
    options: OutcomeOptions | None = None,
    *,
    method: Method = "did",
    dates: Sequence[datetime] | None = None,
    min_side: int = 2,
    its_effect: ItsEffect = "level_change",
    **estimator: Any,
) -> PlaceboResult:
    """The estimate at placebo dates T0' inside the pre-period (METRICS.md §4 (iii)).

    The data are cut at the start of the real event's first transition or post period, so
    the real effect cannot leak in; the placebo dates are ``dates`` or every period start
    with at least ``min_side`` pre periods on each side. ``estimator`` options go to
    :func:`did_for_intervention` or :func:`its_for_intervention` (``its_effect`` picks the
    ITS coefficient). A placebo date whose fit is impossible (too few points) is skipped.
    ``share_as_extreme = #{|placebo| ≥ |real|} / #placebos`` (Abadie et al. 2010 use the
    same in-time placebo logic).

    Examples
    --------
    >>> from analytics.intervention_outcome import example_world
    >>> arrays, boundary, workshop = example_world()
    >>> test = placebo_test(arrays, boundary, workshop, permutations=99, bootstrap=99)
    >>> test.dates, [p.estimate for p in test.placebos], test.share_as_extreme
    (('2025-03-01', '2025-04-01', '2025-05-01'), [0.0, 0.0, 0.0], 0.0)
    """
    options = options or OutcomeOptions()
    real = _estimate(arrays, boundary, intervention, options, method, its_effect, estimator)
    grid = select_rows(arrays, options, intervention).grid
    phase = phases(grid, intervention, options.transition)
    n_pre = int(np.argmax(phase != PRE)) if (phase != PRE).any() else grid.count
    cut = int(grid.edges[n_pre])
    before = replace(options, end=datetime.fromtimestamp(cut, UTC))
    if dates is None:
        starts = grid.edges[min_side : n_pre - min_side + 1].tolist()
        dates = [datetime.fromtimestamp(s, UTC) for s in starts]
    labels: list[str] = []
    found: list[Estimate] = []
    for date in dates:
        placebo = intervention.at(date)
        try:
            value = _estimate(arrays, boundary, placebo, before, method, its_effect, estimator)
        except ValidationError:
            continue
        labels.append(date.date().isoformat())
        found.append(value)
    name = "did_effect" if method == "did" else its_effect
    return PlaceboResult(method, name, real, tuple(labels), tuple(found), min_side, iso_day(cut))


def _estimate(
    arrays: InteractionArrays,
    boundary: Boundary,
    intervention: Intervention,
    options: OutcomeOptions,
    method: Method,
    its_effect: ItsEffect,
    estimator: dict[str, Any],
) -> Estimate:
    if method == "did":
        return did_for_intervention(arrays, boundary, intervention, options, **estimator).effect
    fit = its_for_intervention(arrays, boundary, intervention, options, **estimator)
    chosen: Estimate = getattr(fit, its_effect)
    return chosen


def change_points_for(
    series: OutcomeSeries, measure: Measure = "cross", **options: Any
) -> ChangePointResult:
    """PELT change points of an outcome series (Killick et al. 2012): periods without data
    are dropped for ``measure="share"``; ``options`` go to
    :func:`~analytics.intervention_changepoint.change_points`.

    Examples
    --------
    >>> from analytics.intervention_outcome import example_world
    >>> arrays, boundary, workshop = example_world()
    >>> series = outcome_series(arrays, boundary, workshop.participants)
    >>> change_points_for(series, min_size=2).dates()
    ['2025-08-01']
    """
    values = series.values(measure)
    finite = np.isfinite(values)
    return change_points(values[finite], period_start=series.period_start[finite], **options)

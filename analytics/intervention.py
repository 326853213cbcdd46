"""Before/after an intervention (METRICS.md §4 "Before/after an intervention at T0").

Did an activity (a workshop, a pilot) or any dated change make its participants cross
community boundaries more? The outcome is the number (or share) of their cross-community
interactions per period (:func:`outcome_series`, :mod:`analytics.intervention_series`:
kinds, crossing rule, periods, the event's own ties left out). Four methods read it:

* :func:`its_for_intervention`: interrupted time series with Newey–West errors
  (Bernal et al. 2017; :mod:`analytics.intervention_its`);
* :func:`did_for_intervention`: participants vs matched non-participants, randomisation p
  and pair-bootstrap interval (:mod:`analytics.intervention_did`);
* :func:`placebo_test`: the same estimate at placebo dates inside the pre-period;
* :func:`change_points_for`: PELT change points when no date is known
  (:mod:`analytics.intervention_changepoint`);

and :func:`evaluate_intervention` runs them all. Every result has ``to_dict()`` (plain JSON
values, NaN → ``None``, dates ``YYYY-MM-DD`` or ISO 8601). Stable keys:

* :class:`OutcomeSeries`: ``freq``, ``kinds``, ``weighting``, ``scope``, ``people``,
  ``excluded_event_rows``, ``periods`` (``{period, cross, total, share, n, phase}``; phase
  ``pre``/``transition``/``post``/``None``);
* an *estimate* (:class:`~analytics.intervention_series.Estimate`): ``estimate``,
  ``ci_low``, ``ci_high``, ``p``, ``se``, ``level``;
* ITS, DiD, change points: see :meth:`ITSResult.to_dict
  <analytics.intervention_its.ITSResult.to_dict>`, :meth:`DiDResult.to_dict
  <analytics.intervention_did.DiDResult.to_dict>`, :meth:`ChangePointResult.to_dict
  <analytics.intervention_changepoint.ChangePointResult.to_dict>`;
* :class:`PlaceboResult`: ``method`` ("placebo"), ``estimator``, ``effect``, ``real``,
  ``placebos`` (``{date, estimate, ci_low, ci_high, p, se, level}``), ``n_placebos``,
  ``share_as_extreme``, ``min_side``, ``data_until``;
* :class:`InterventionReport`: ``intervention``, ``outcome``, ``its``, ``did``,
  ``placebo``, ``change_points`` (each ``None`` when it could not run), ``notes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.intervention_boundary import Boundary
from analytics.intervention_changepoint import ChangePointResult, change_points
from analytics.intervention_did import DiDResult, difference_in_differences
from analytics.intervention_estimates import (
    PlaceboResult,
    change_points_for,
    did_for_intervention,
    its_for_intervention,
    placebo_test,
)
from analytics.intervention_its import ITSResult, interrupted_time_series
from analytics.intervention_outcome import (
    OutcomeSeries,
    PersonPanel,
    example_world,
    outcome_series,
    person_panel,
)
from analytics.intervention_series import Estimate, Intervention, OutcomeOptions
from graphsvc.errors import ValidationError
from graphsvc.model import InteractionArrays

__all__ = [
    "Boundary",
    "ChangePointResult",
    "DiDResult",
    "Estimate",
    "ITSResult",
    "Intervention",
    "InterventionReport",
    "OutcomeOptions",
    "OutcomeSeries",
    "PersonPanel",
    "PlaceboResult",
    "change_points",
    "change_points_for",
    "did_for_intervention",
    "difference_in_differences",
    "evaluate_intervention",
    "example_world",
    "interrupted_time_series",
    "its_for_intervention",
    "outcome_series",
    "person_panel",
    "placebo_test",
]


@dataclass(frozen=True)
class InterventionReport:
    """Everything :func:`evaluate_intervention` found (``None`` where a method could not
    run; ``notes`` says why)."""

    intervention: Intervention
    outcome: OutcomeSeries
    its: ITSResult | None
    did: DiDResult | None
    placebo: PlaceboResult | None
    change_points: ChangePointResult | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Keys: ``intervention``, ``outcome``, ``its``, ``did``, ``placebo``,
        ``change_points`` (``None`` when not run), ``notes``."""
        parts = ("outcome", "its", "did", "placebo", "change_points")
        found = {name: getattr(self, name) for name in parts}
        return {
            "intervention": self.intervention.to_dict(),
            **{name: None if part is None else part.to_dict() for name, part in found.items()},
            "notes": list(self.notes),
        }


def evaluate_intervention(
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
) -> InterventionReport:
    """ITS, matched DiD, DiD placebos and change points for one intervention
    (METRICS.md §4 "Before/after an intervention at T0").

    Parameters
    ----------
    arrays, boundary
        The interactions and which of them cross (M1; :class:`Boundary`).
    intervention
        Date, end and participants (:meth:`Intervention.from_activity`).
    options
        Kinds (default: all but co-attendance), periods, weighting, event exclusion.
    eligible
        Person ids who may serve as DiD controls (default: every non-participant).
    permutations, bootstrap, level, seed
        Randomisation permutations, pair-bootstrap resamples, interval level, seed.

    Returns
    -------
    InterventionReport
        The participants' outcome series (everyone's for a date without participants);
        ITS on it (Bernal et al. 2017); DiD and DiD placebos (need participants); PELT
        change points on the same series (Killick et al. 2012). A method that cannot run
        is ``None`` with the reason in ``notes``.

    Examples
    --------
    >>> arrays, boundary, workshop = example_world()
    >>> report = evaluate_intervention(arrays, boundary, workshop, permutations=99,
    ...                                bootstrap=99)
    >>> sorted(report.to_dict())
    ['change_points', 'did', 'intervention', 'its', 'notes', 'outcome', 'placebo']
    >>> report.did.effect.estimate, report.change_points.dates()
    (1.0, ['2025-08-01'])
    >>> report.notes
    ('its: fewer than 8 points on a side (6 pre, 5 post)',)
    """
    options = options or OutcomeOptions()
    group = intervention.participants or None
    outcome = outcome_series(arrays, boundary, group, intervention, options)
    notes: list[str] = []
    did_options = {
        "eligible": eligible,
        "permutations": permutations,
        "bootstrap": bootstrap,
        "level": level,
        "seed": seed,
    }
    its = _attempt(notes, "its", its_for_intervention, arrays, boundary, intervention, options)
    did = placebo = None
    if intervention.participants:
        run = (arrays, boundary, intervention, options)
        did = _attempt(notes, "did", did_for_intervention, *run, **did_options)
        placebo = _attempt(notes, "placebo", placebo_test, *run, **did_options)
    else:
        notes.append("did: no participants, so no difference-in-differences or placebos")
    found = _attempt(notes, "change_points", change_points_for, outcome)
    if its is not None and its.few_points:
        notes.append(f"its: fewer than 8 points on a side ({its.n_pre} pre, {its.n_post} post)")
    return InterventionReport(intervention, outcome, its, did, placebo, found, tuple(notes))


def _attempt(notes: list[str], name: str, method: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return method(*args, **kwargs)
    except ValidationError as error:
        notes.append(f"{name}: {error}")
        return None

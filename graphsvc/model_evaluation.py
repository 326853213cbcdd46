"""What evaluators keep: indicator values per period, objectives, and stories.

* :class:`MetricValue` — one indicator's value for one period and scope (the network, a
  community or a person), computed by one *definition* (a version name of the indicator
  definitions) with one set of *parameters* (canonical JSON). Its identity includes both,
  so a new definition or new parameters add rows beside the old ones and never rewrite the
  past (METRICS.md §4, "freeze weights, h, the M-rule and the window per objective").
* :class:`Objective` — what a community set out to reach: an indicator across a boundary
  kind (and interaction kind), a baseline at a date, a target by a deadline, and the
  minimum n below which the status is "insufficient data".
* :class:`Story` — a dated, attributed account of value created (Wenger-Trayner: indicators
  *plus* stories), optionally tied to a value cycle, a community and an activity.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime

from graphsvc.errors import ValidationError
from graphsvc.model_checks import _enum, _optional_text, _require_id, _set, _utc
from graphsvc.vocabulary import CommunityKind, InteractionKind

#: where an indicator is measured
SCOPE_KINDS = ("network", "community", "person")
#: Wenger, Trayner & de Laat (2011) cycles and Wenger-Trayner (2020) values
VALUE_CYCLES = (
    "immediate", "potential", "applied", "realized", "transformative",
    "orienting", "enabling", "strategic",
)  # fmt: skip


def canonical_json(text: str, entity: str, record_id: str) -> str:
    """``text`` (a JSON object) with sorted keys and no spaces: one spelling per meaning."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        raise ValidationError(
            "parameters", "must be a JSON object", entity=entity, record_id=record_id
        ) from None
    if not isinstance(value, dict):
        raise ValidationError(
            "parameters", "must be a JSON object", entity=entity, record_id=record_id
        )
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One stored indicator value (see the module). ``scope_id`` is ``""`` for the network."""

    period_start: datetime
    period_end: datetime
    scope_kind: str
    scope_id: str
    indicator: str
    value: float | None
    definition: str
    parameters: str = "{}"
    low: float | None = None
    high: float | None = None
    n_interactions: int = 0
    n_active: int = 0
    insufficient: bool = False
    computed_at: datetime | None = None

    def __post_init__(self) -> None:
        label = self.label
        _set(self, "period_start", _moment("metric", label, "period_start", self.period_start))
        _set(self, "period_end", _moment("metric", label, "period_end", self.period_end))
        if self.period_start >= self.period_end:
            raise ValidationError("period_end", "must be after period_start", entity="metric",
                                  record_id=label)  # fmt: skip
        if self.scope_kind not in SCOPE_KINDS:
            raise ValidationError("scope_kind", f"must be one of {', '.join(SCOPE_KINDS)}",
                                  entity="metric", record_id=label)  # fmt: skip
        if (self.scope_kind == "network") != (self.scope_id == ""):
            raise ValidationError("scope_id", "empty exactly for the network scope",
                                  entity="metric", record_id=label)  # fmt: skip
        _require_id("metric", "indicator", self.indicator, label)
        _require_id("metric", "definition", self.definition, label)
        _set(self, "parameters", canonical_json(self.parameters, "metric", label))
        for name in ("value", "low", "high"):
            _set(self, name, _finite_or_none(getattr(self, name), name, label))
        _set(self, "computed_at", _utc("metric", label, "computed_at", self.computed_at))

    @property
    def label(self) -> str:
        """``indicator@scope`` for messages."""
        return f"{self.indicator}@{self.scope_kind}:{self.scope_id}"

    @property
    def parameters_id(self) -> str:
        """The first 16 hex digits of the SHA-256 of the canonical parameters."""
        return hashlib.sha256(self.parameters.encode("utf-8")).hexdigest()[:16]

    @property
    def key(self) -> tuple[str, str, str, str, str, datetime, datetime]:
        return (self.definition, self.parameters_id, self.scope_kind, self.scope_id,
                self.indicator, self.period_start, self.period_end)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Objective:
    """A community's objective (see the module); ``community_id`` None = the network."""

    id: str
    indicator: str
    baseline: float
    baseline_at: datetime
    target: float
    deadline: datetime
    community_id: str | None = None
    boundary: CommunityKind = CommunityKind.COP
    interaction_kind: InteractionKind | None = None
    min_n: int = 30
    description: str | None = None
    author: str | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_id("objective", "id", self.id)
        _require_id("objective", "indicator", self.indicator, self.id)
        _set(self, "community_id", _optional_text(self.community_id))
        _set(self, "boundary", _enum("objective", self.id, "boundary", CommunityKind,
                                     self.boundary))  # fmt: skip
        if self.interaction_kind is not None:
            kind = _enum("objective", self.id, "interaction_kind", InteractionKind,
                         self.interaction_kind)  # fmt: skip
            _set(self, "interaction_kind", kind)
        for name in ("baseline", "target"):
            if _finite_or_none(getattr(self, name), name, self.id) is None:
                raise ValidationError(name, "required", entity="objective", record_id=self.id)
            _set(self, name, float(getattr(self, name)))
        if self.target == self.baseline:
            raise ValidationError("target", "must differ from the baseline",
                                  entity="objective", record_id=self.id)  # fmt: skip
        _set(self, "baseline_at", _moment("objective", self.id, "baseline_at", self.baseline_at))
        _set(self, "deadline", _moment("objective", self.id, "deadline", self.deadline))
        if self.deadline <= self.baseline_at:
            raise ValidationError("deadline", "must be after baseline_at",
                                  entity="objective", record_id=self.id)  # fmt: skip
        if not isinstance(self.min_n, int) or self.min_n < 1:
            raise ValidationError("min_n", "must be a whole number ≥ 1",
                                  entity="objective", record_id=self.id)  # fmt: skip
        _set(self, "description", _optional_text(self.description))
        _set(self, "author", _optional_text(self.author))
        _set(self, "created_at", _utc("objective", self.id, "created_at", self.created_at))


@dataclass(frozen=True, slots=True)
class Story:
    """A dated, attributed story of value created (see the module)."""

    id: str
    text: str
    at: datetime
    author: str
    community_id: str | None = None
    value_cycle: str | None = None
    activity_id: str | None = None

    def __post_init__(self) -> None:
        _require_id("story", "id", self.id)
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValidationError("text", "required", entity="story", record_id=self.id)
        _set(self, "text", self.text.strip())
        _require_id("story", "author", self.author, self.id)
        _set(self, "at", _moment("story", self.id, "at", self.at))
        _set(self, "community_id", _optional_text(self.community_id))
        _set(self, "activity_id", _optional_text(self.activity_id))
        if self.value_cycle is not None and self.value_cycle not in VALUE_CYCLES:
            raise ValidationError("value_cycle", f"must be one of {', '.join(VALUE_CYCLES)}",
                                  entity="story", record_id=self.id)  # fmt: skip


def _moment(entity: str, record_id: str, name: str, value: datetime | None) -> datetime:
    """A required timezone-aware datetime, in UTC."""
    moment = _utc(entity, record_id, name, value)
    if moment is None:
        raise ValidationError(name, "required", entity=entity, record_id=record_id)
    return moment


def _finite_or_none(value: object, name: str, record_id: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(name, f"not a number: {value!r}", record_id=record_id) from None
    if math.isnan(number):
        return None
    if not math.isfinite(number):
        raise ValidationError(name, "must be finite", record_id=record_id)
    return number

"""Query parameters validated at the edge: every bad value is a 400 naming the parameter.

Each parser takes the request's query mapping and returns typed values or raises
:class:`graphsvc.errors.ValidationError` (``field`` = the parameter), which the API turns
into ``{"ok": false, "error": "start: ...", "status": 400}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from graphsvc.errors import ValidationError
from graphsvc.interchange import parse_datetime
from graphsvc.model import CommunityKind, InteractionKind
from web.state import WindowKey

#: the metrics a node can be sized by (degree needs no report)
SIZE_METRICS = ("degree", "betweenness", "cross_betweenness", "participation")
HIGHLIGHTS = ("brokers", "bridges", "silos")
VIEWS = ("auto", "people", "communities", "ego")
MAX_PER_PAGE = 200


def window_key(query: Mapping[str, str], zone: ZoneInfo) -> WindowKey:
    """``start``, ``end`` (ISO dates or datetimes; ``[start, end)``), ``boundary``, ``kinds``."""
    start = _moment(query, "start", zone)
    end = _moment(query, "end", zone)
    if start and end and start >= end:
        raise ValidationError("start", "must be before end")
    return WindowKey(
        start=start,
        end=end,
        boundary=_choice(query, "boundary", CommunityKind, CommunityKind.COP),
        kinds=_kinds(query),
    )


def word_list(query: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list (empty words dropped)."""
    return tuple(word.strip() for word in query.get(name, "").split(",") if word.strip())


def one_of(query: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = query.get(name, "") or default
    if value not in allowed:
        raise ValidationError(name, f"expected one of {', '.join(allowed)}, got {value!r}")
    return value


def subset_of(query: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> frozenset[str]:
    words = word_list(query, name)
    unknown = [word for word in words if word not in allowed]
    if unknown:
        raise ValidationError(name, f"unknown {', '.join(unknown)}; expected {', '.join(allowed)}")
    return frozenset(words)


def integer(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(name, f"not a whole number: {raw!r}") from None
    if not low <= value <= high:
        raise ValidationError(name, f"must be between {low} and {high}, got {value}")
    return value


def required(source: Mapping[str, Any], name: str) -> str:
    """A non-empty text value (a query parameter or a JSON field)."""
    value = str(source.get(name) or "").strip()
    if not value:
        raise ValidationError(name, "required")
    return value


def number(query: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """A finite decimal number in ``[low, high]`` (``default`` when absent)."""
    raw = query.get(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(name, f"not a number: {raw!r}") from None
    if not low <= value <= high:  # NaN fails too
        raise ValidationError(name, f"must be between {low} and {high}, got {raw}")
    return value


def page(query: Mapping[str, str]) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1..200, default 20)."""
    return integer(query, "page", 1, 1, 1_000_000), integer(query, "per_page", 20, 1, MAX_PER_PAGE)


def _moment(query: Mapping[str, str], name: str, zone: ZoneInfo) -> datetime | None:
    raw = query.get(name, "").strip()
    return parse_datetime(raw, zone, name) if raw else None


def _choice(
    query: Mapping[str, str], name: str, kind: type[CommunityKind], default: CommunityKind
) -> CommunityKind:
    raw = query.get(name, "")
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(item.value for item in kind)
        raise ValidationError(name, f"expected one of {allowed}, got {raw!r}") from None


def _kinds(query: Mapping[str, str]) -> tuple[InteractionKind, ...]:
    words = word_list(query, "kinds")
    if not words:
        return WindowKey().kinds
    try:
        return tuple(
            sorted({InteractionKind(word) for word in words}, key=list(InteractionKind).index)
        )
    except ValueError:
        allowed = ", ".join(kind.value for kind in InteractionKind)
        raise ValidationError("kinds", f"expected some of {allowed}") from None

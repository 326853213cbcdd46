"""Checks of single values in a mapping file, collecting every problem before one error.

A mapping file (:mod:`ingest.mapping_spec`) is checked whole: each check below takes the
parsed TOML value and the key it was found under (``file #2 (answers.csv) delimiter``),
returns the checked value, and when the value is bad adds ``(key, reason)`` to
:class:`Problems` and returns a harmless stand-in (None, ``False``, ``","``) so that checking
goes on. :meth:`Problems.raise_if_any` then raises one
:class:`~graphsvc.errors.InputError` naming every bad key.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path, PurePosixPath

from graphsvc.errors import InputError
from graphsvc.interchange import SPECS, FileSpec


class Problems:
    """Collects ``(key, reason)`` so that one error names every problem of the file."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.found: list[tuple[str, str]] = []

    def add(self, key: str, reason: str) -> None:
        self.found.append((key, reason))

    def raise_if_any(self) -> None:
        """Raise an :class:`InputError` naming the file, the first key and every reason."""
        if not self.found:
            return
        (key, reason), rest = self.found[0], self.found[1:]
        if rest:
            reason += "; also " + "; ".join(f"{k}: {r}" for k, r in rest)
        raise InputError(self.label, reason, field=key)


def check_keys(table: dict[str, object], allowed: tuple[str, ...], where: str, p: Problems) -> None:
    """Note each key of ``table`` (found under ``where``) that is not ``allowed``."""
    for key in table:
        if key not in allowed:
            p.add(f"{where} {key}".strip(), f"unknown key (known: {', '.join(allowed)})")


def text_value(
    value: object, key: str, problems: Problems, *, required: bool = False
) -> str | None:
    """A non-empty string, stripped; None when absent (a problem if ``required``) or bad."""
    if value is None:
        if required:
            problems.add(key, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(key, "must be a non-empty string")
        return None
    return value.strip()


def flag_value(value: object, key: str, problems: Problems) -> bool:
    """A TOML boolean; ``False`` when it is something else."""
    if not isinstance(value, bool):
        problems.add(key, "must be true or false")
        return False
    return value


def delimiter_value(value: object, key: str, problems: Problems) -> str:
    """A CSV delimiter: one character, not a quote or newline; ``","`` when bad."""
    if isinstance(value, str) and len(value) == 1 and value not in '"\r\n':
        return value
    problems.add(key, f"must be one character (not a quote or newline), not {value!r}")
    return ","


def relative_path(value: object, key: str, problems: Problems) -> str | None:
    """A required path (or glob) relative to the data folder that cannot leave it."""
    text = text_value(value, key, problems, required=True)
    if text is None:
        return None
    pure = PurePosixPath(text.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or Path(text).is_absolute():
        problems.add(key, f"{text!r} must be relative to the data folder and stay inside it")
        return None
    return text


def entity_spec(value: object, key: str, problems: Problems) -> FileSpec | None:
    """The interchange spec of a required entity name (``people``, ``interactions`` …)."""
    if isinstance(value, str) and value in SPECS:
        return SPECS[value]
    known = ", ".join(SPECS)
    problems.add(
        key, f"{'is required' if value is None else repr(value) + ' is not'} one of: {known}"
    )
    return None


def scalar_text(value: object) -> str | None:
    """A TOML scalar as interchange text (``true`` → ``yes``, dates in ISO form)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, date | time):  # a datetime is a date
        return value.isoformat()
    return None

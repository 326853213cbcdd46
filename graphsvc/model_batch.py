"""A batch of interactions held as plain rows: the bulk form of ``Sequence[Interaction]``.

A large import moves a million interactions from the parser through a writer process into
the store. As model objects each one costs a dataclass built and validated, pickled field
by field and rebuilt on the other side. :class:`InteractionBatch` holds the same
interactions as :data:`~graphsvc.model.InteractionRow` tuples of plain values instead: it
pickles at C speed, a store that writes rows (SQLite) takes them as they are, and any
other store sees an ordinary sequence of :class:`~graphsvc.model.Interaction` objects,
built on access.

Every row must hold exactly what :func:`~graphsvc.model.interaction_row` gives for a valid
interaction: rows come from that function (:meth:`InteractionBatch.from_records`) or from
the columnar CSV parser, :func:`graphsvc.interchange.interaction_rows_parser`, which applies
the same rules (its tests compare it with the per-row parser on generated rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from graphsvc.model import Interaction, InteractionRow, interaction_from_row, interaction_row


class InteractionBatch(Sequence[Interaction]):
    """Interactions as :data:`~graphsvc.model.InteractionRow` tuples (see the module)."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[InteractionRow]) -> None:
        self.rows = rows

    @classmethod
    def from_records(cls, records: Iterable[Interaction]) -> InteractionBatch:
        return cls([interaction_row(record) for record in records])

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Interaction: ...

    @overload
    def __getitem__(self, index: slice) -> InteractionBatch: ...

    def __getitem__(self, index: int | slice) -> Interaction | InteractionBatch:
        if isinstance(index, slice):
            return InteractionBatch(self.rows[index])
        return interaction_from_row(*self.rows[index])

    def __iter__(self) -> Iterator[Interaction]:
        for row in self.rows:
            yield interaction_from_row(*row)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, InteractionBatch):
            return self.rows == other.rows
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"InteractionBatch({len(self.rows)} rows)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (InteractionBatch, (self.rows,))


def as_rows(records: Sequence[Interaction]) -> list[InteractionRow]:
    """The rows of ``records``: a batch's own, else made from the objects."""
    if isinstance(records, InteractionBatch):
        return records.rows
    return [interaction_row(record) for record in records]

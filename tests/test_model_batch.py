"""InteractionBatch: interactions as rows of plain values, a Sequence[Interaction]."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone

from graphsvc.model import INTERACTION_FIELDS, Interaction, interaction_from_row, interaction_row
from graphsvc.model_batch import InteractionBatch, as_rows

AT = datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
RECORDS = [
    Interaction("i1", "collaboration", "p1", "p2", AT),
    Interaction("i2", "mentoring", "p2", "p3", AT + timedelta(microseconds=1), weight=2.5),
    Interaction(
        "i3", "communication", "p3", "p1",
        datetime(1969, 12, 31, 23, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=-5))),
        directed=False, topic="soil", community_id="c1", source_system="hr", external_id="E3",
    ),
]  # fmt: skip


def test_a_row_holds_plain_values_and_rebuilds_the_same_interaction() -> None:
    row = interaction_row(RECORDS[2])
    assert row == ("i3", "communication", "p3", "p1", 14_400_999_999, 1.0, False, "soil",
                   "c1", "hr", "E3")  # fmt: skip  # 1970-01-01T04:00:00.999999Z
    assert interaction_row(RECORDS[0])[6] is False  # collaboration: undirected by default
    assert interaction_row(RECORDS[1])[6] is True  # mentoring: directed by default
    assert [interaction_from_row(*interaction_row(r)) for r in RECORDS] == RECORDS


def test_a_batch_is_a_sequence_of_its_interactions() -> None:
    batch = InteractionBatch.from_records(RECORDS)
    assert len(batch) == 3 and list(batch) == RECORDS and batch[1] == RECORDS[1]
    assert batch[-1] == RECORDS[2] and list(batch[1:]) == RECORDS[1:]
    assert isinstance(batch[1:], InteractionBatch)
    assert batch == InteractionBatch(list(batch.rows)) and batch != InteractionBatch([])
    assert as_rows(batch) is batch.rows and as_rows(RECORDS) == batch.rows


def test_batches_and_interactions_pickle_to_equal_values() -> None:
    batch = InteractionBatch.from_records(RECORDS)
    assert pickle.loads(pickle.dumps(batch)) == batch
    assert pickle.loads(pickle.dumps(RECORDS)) == RECORDS


def test_the_neo4j_writer_reads_rows_at_the_fields_positions() -> None:
    from graphsvc.stores import neo4j_write as writer

    positions = {
        "id": writer.ROW_ID,
        "source_id": writer.ROW_SOURCE,
        "target_id": writer.ROW_TARGET,
        "community_id": writer.ROW_COMMUNITY,
    }
    assert {name: INTERACTION_FIELDS[at] for name, at in positions.items()} == {
        name: name for name in positions
    }

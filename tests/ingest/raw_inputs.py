"""Raw-bytes inputs of the property tests: a valid dataset (CSV folder and NDJSON) as
bytes, near-valid damage to it (:func:`mutated`), and :data:`KNOWN_CRASHES`, the inputs
that once crashed the import. :func:`run_raw` imports such bytes into a fresh store and
checks the outcome is a result or a graphsvc error that left the store consistent.
"""

from __future__ import annotations

import codecs
import json
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import strategies as st
from import_harness import (
    assert_store_matches_recorded_run,
    fresh_store,
    import_or_error,
    write_files,
)

from graphsvc.config import Settings
from graphsvc.interchange import Record, sorted_records, write_csv_folder, write_ndjson
from graphsvc.model import (
    Activity,
    ActivityKind,
    Community,
    Interaction,
    InteractionKind,
    Membership,
    MembershipRole,
    Participation,
    ParticipationRole,
    Person,
)

# --- a valid dataset and damage to it -----------------------------------------------------


def valid_records() -> dict[str, list[Record]]:
    """A small valid dataset touching every entity (the seed of the damage tests)."""
    at = datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    return {
        "people": [
            Person("p1", 'Ana, "A"', email="ana@example.org", topics=("graphs", "python")),
            Person("p2", "Bo", joined_at=at, mentor_capacity=2, attrs={"team": "blue"}),
            Person("p3", "Čedo", consent=False, expertise=("ml",)),
        ],
        "communities": [Community("c1", "Graphs"), Community("c2", "Sub", parent_id="c1")],
        "memberships": [
            Membership("p1", "c1"),
            Membership("p2", "c2", MembershipRole.MODERATOR, since=at),
        ],
        "interactions": [
            Interaction("i1", InteractionKind.MENTORING, "p1", "p2", at, weight=2.5, topic="t"),
            Interaction("i2", InteractionKind.COLLABORATION, "p2", "p3", at + timedelta(days=3)),
        ],
        "activities": [Activity("a1", "Kick-off", at, ActivityKind.WORKSHOP, community_id="c1")],
        "participations": [
            Participation("a1", "p1", ParticipationRole.ORGANISER),
            Participation("a1", "p3"),
        ],
    }


def _valid_files() -> dict[str, bytes]:
    records = valid_records()
    sources = {entity: (lambda rows=rows: sorted_records(rows)) for entity, rows in records.items()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv_folder(folder, sources)
        write_ndjson(folder / "data.ndjson", sources)
        return {path.name: path.read_bytes() for path in folder.iterdir()}


VALID_FILES = _valid_files()
FILE_NAMES = sorted(VALID_FILES)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after 1–3 near-valid damages: flips, cuts, BOMs, CRLF, NULs, quotes, …"""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "crlf":
            data = data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"])))
        elif kind == "utf16":
            data = data.decode("utf-8", "replace").encode(draw(st.sampled_from(UTF16)))
        else:
            data = data[:at] + draw(INSERTS[kind]) + data[at:]
    return data


UTF16 = ["utf-16", "utf-16-le", "utf-16-be"]
INSERTS: dict[str, st.SearchStrategy[bytes]] = {
    "bom": st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF8 * 2, codecs.BOM_UTF16_LE]),
    "nul": st.sampled_from([b"\x00", b"\x00" * 3]),
    "quote": st.sampled_from([b'"', b'""', b'",', b'"\n']),
    "separator": st.sampled_from([b",", b";", b"\t", b"\n", b",,,,\n", b"{", b"}"]),
    # past csv's field limit (131072): a file error (test_a_file_error_found_mid_file_…)
    "long": st.sampled_from([b"x" * 5000, b"y" * 140_000, b'"' + b"z" * 140_000]),
    "junk": st.binary(min_size=1, max_size=16),
}
MUTATIONS = ["flip", "truncate", "crlf", "utf16", *INSERTS]


def run_raw(
    files: Mapping[str, bytes], target: str | None, settings: Settings | None = None
) -> None:
    """Write ``files``, import the folder (or ``target`` in it), check the outcome."""
    with fresh_store() as (tmp, store):
        data = write_files(tmp / "data", files)
        path = data if target is None else data / target
        outcome = import_or_error(store, path, settings or Settings(batch_size=2))
        assert_store_matches_recorded_run(store, outcome)


CSV_NAMES = [name for name in FILE_NAMES if name.endswith(".csv")]


# --- inputs that once crashed the import ------------------------------------------------


def _case(name: str, files: Mapping[str, str], reason: str, zone: str = "UTC") -> object:
    """A regression case: ``reason`` is the crash it once caused (fixed since)."""
    raw = {n: text.encode("utf-8") for n, text in files.items()}
    target = next((n for n in raw if n.endswith(".ndjson")), None)
    settings = Settings(batch_size=2, timezone=zone)
    return pytest.param(raw, target, settings, id=name)


def ndjson_person(**fields: object) -> str:
    """One NDJSON line: person ``p1`` with ``fields``."""
    return json.dumps({"type": "person", "id": "p1", **fields}) + "\n"


def _people(column: str, cell: str) -> dict[str, str]:
    return {"people.csv": f"id,{column}\np1,{cell}\n"}


TIME = "graphsvc.interchange.parse.parse_datetime: astimezone(UTC) outside the try: OverflowError"
INT64 = "nothing bounds mentor_capacity: sqlite3 raises OverflowError (> 2**63 - 1)"
CLASSIFY = "ingest.spool._classify catches only json.JSONDecodeError"
SURROGATE = "a lone surrogate (JSON \\ud800 escape) reaches sqlite3: UnicodeEncodeError"
HUGE = "9" * 5000
#: inputs that once crashed the import (a traceback instead of a row or file message);
#: each reason names the fix's place. They must now give a result or a graphsvc error.
KNOWN_CRASHES = [
    _case("offset-past-9999", _people("joined_at", "9999-12-31T23:00:00-05:00"), TIME),
    _case("offset-before-year-1", _people("joined_at", "0001-01-01T00:30:00+01:00"), TIME),
    _case("naive-year-1-in-tokyo", _people("joined_at", "0001-01-01"), TIME, "Asia/Tokyo"),
    _case("capacity-over-int64", _people("mentor_capacity", str(2**63)), INT64),
    _case("ndjson-capacity-over-int64", {"d.ndjson": ndjson_person(mentor_capacity=2**63)}, INT64),
    _case(
        "capacity-5000-digits",
        _people("mentor_capacity", HUGE),
        "graphsvc.interchange.parse._parse_int: int() raises ValueError past 4300 digits",
    ),
    _case(
        "ndjson-weight-10e400",
        {
            "d.ndjson": ndjson_person()
            + '{"type":"interaction","kind":"other","source_id":"p1","target_id":"p1",'
            + f'"at":0,"weight":{10**400}}}\n'
        },
        "graphsvc.interchange.parse._parse_float: float(int) raises OverflowError",
    ),
    _case(
        "ndjson-5000-digit-number",
        {"d.ndjson": '{"type":"person","id":"p1","x":' + HUGE + "}\n"},
        CLASSIFY + ": json.loads raises ValueError past 4300 digits",
    ),
    _case(
        "ndjson-deep-nesting",
        {"d.ndjson": "[" * 100_000 + "]" * 100_000 + "\n"},
        CLASSIFY + ": json.loads raises RecursionError",
    ),
    _case(
        "ndjson-type-is-a-list",
        {"d.ndjson": ndjson_person(type=["person"])},
        "ingest.spool._classify: `kind not in ENTITY_OF_TYPE` on a list: TypeError",
    ),
    _case("ndjson-lone-surrogate", {"d.ndjson": ndjson_person(name="\ud800")}, SURROGATE),
    _case(
        "ndjson-lone-surrogate-attr-name", {"d.ndjson": ndjson_person(**{"\udc00": "x"})}, SURROGATE
    ),
]

"""The interchange format: THE definition of what ``graphsvc import`` reads and ``export`` writes.

A dataset is a folder of CSV files (UTF-8, comma-separated, header row) or one NDJSON file
whose objects carry ``"type"``; any subset of the six files may be present (DESIGN.md §3,
``docs/interchange.md``). This module is table-driven: :data:`SPECS` lists every file's
columns in their fixed order, which are required and how each cell is parsed and written.

Reading (:func:`parse_record`): a blank cell is absent; dates are ISO 8601 dates or datetimes
or Unix seconds, naive ones read in the configured zone and converted to UTC; list cells are
``;``-separated; booleans are ``yes``/``no`` (also ``true``/``false``, ``1``/``0``); an
interaction without an id gets :func:`graphsvc.model.interaction_id`; unknown ``people.csv``
columns become ``attrs``. Problems raise :class:`~graphsvc.errors.ValidationError` whose
``field`` and ``reason`` the reader turns into ``file:line: field: reason``.

Writing (:func:`to_cells`, :func:`to_json`, :func:`write_csv_folder`, :func:`write_ndjson`) is
deterministic: fixed column order, records sorted by key, datetimes as UTC ISO 8601 ending in
``Z``, booleans as ``yes``/``no``, numbers in their shortest round-tripping form — so
export → import → export gives byte-identical files.
"""

from graphsvc.interchange.columns import RowsParser, interaction_rows_parser
from graphsvc.interchange.parse import (
    LIST_SEPARATOR,
    RecordParser,
    parse_datetime,
    parse_record,
    record_parser,
)
from graphsvc.interchange.spec import (
    ENTITY_OF_TYPE,
    SPECS,
    Column,
    FileSpec,
    Record,
    RecordKey,
    check_header,
    record_key,
    singular,
    spec_for,
)
from graphsvc.interchange.write import (
    RecordSource,
    csv_header,
    dump_json_line,
    format_datetime,
    sorted_records,
    to_cells,
    to_json,
    write_csv,
    write_csv_folder,
    write_ndjson,
)

__all__ = [
    "ENTITY_OF_TYPE",
    "LIST_SEPARATOR",
    "SPECS",
    "Column",
    "FileSpec",
    "Record",
    "RecordKey",
    "RecordParser",
    "RecordSource",
    "RowsParser",
    "check_header",
    "csv_header",
    "dump_json_line",
    "format_datetime",
    "interaction_rows_parser",
    "parse_datetime",
    "parse_record",
    "record_key",
    "record_parser",
    "singular",
    "sorted_records",
    "spec_for",
    "to_cells",
    "to_json",
    "write_csv",
    "write_csv_folder",
    "write_ndjson",
]

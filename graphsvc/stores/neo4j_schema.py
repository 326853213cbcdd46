"""The Neo4j schema: constraints and indexes, applied as numbered migrations.

The database's version lives on the single ``(:GraphsvcSchema {version})`` node; opening
a store runs every migration above it, in order, then records the new version. Every
statement is idempotent (``IF NOT EXISTS``, or a data step that only touches what it has
not done yet, like migration 2's ``email_key`` backfill), so a half-applied migration
simply reruns.
"""

from __future__ import annotations

from typing import LiteralString

import neo4j

import cypher

#: migration number → the schema statements (query names) it runs, in order
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "schema_person_id",
        "schema_community_id",
        "schema_activity_id",
        "schema_import_run_id",
        "schema_feedback_id",
        "schema_cursor_source",
        "schema_interaction_id",
        "schema_interaction_at",
        "schema_feedback_person",
        "schema_feedback_suggested",
        "schema_import_run_started",
    ),
    # identity across source systems: aliases, attribute conflicts, e-mail look-ups
    2: (
        "schema_alias_key",
        "schema_alias_person",
        "schema_conflict_person",
        "schema_conflict_seq",
        "schema_counter_name",
        "schema_person_email_key",
        "schema_backfill_email_key",
    ),
    # what evaluators keep: indicator history, objectives, stories
    3: (
        "schema_metric_key",
        "schema_metric_scope",
        "schema_objective_id",
        "schema_story_id",
    ),
}
SCHEMA_VERSION = max(MIGRATIONS)
#: seconds to wait for new indexes to come online
INDEX_WAIT_SECONDS = 300


def query(name: str) -> LiteralString:
    """The named query, typed as the driver's ``LiteralString``.

    Query texts only ever come from the package's ``.cypher`` files, never from values.
    """
    return cypher.load(name)  # type: ignore[return-value,unused-ignore]


def schema_version(driver: neo4j.Driver, database: str) -> int:
    """The version recorded in ``database`` (0 for a fresh database)."""
    records, _, _ = driver.execute_query(
        query("schema_version_get"), database_=database, routing_=neo4j.RoutingControl.READ
    )
    return int(records[0]["version"])


def ensure_schema(driver: neo4j.Driver, database: str) -> int:
    """Apply the migrations ``database`` lacks; return the resulting version."""
    current = schema_version(driver, database)
    if current >= SCHEMA_VERSION:
        return current
    for version in sorted(v for v in MIGRATIONS if v > current):
        for name in MIGRATIONS[version]:
            # Schema statements cannot share a transaction with data writes, and a batched
            # data step (CALL ... IN TRANSACTIONS) needs its own: auto-commit each.
            with driver.session(database=database) as session:
                session.run(query(name)).consume()
        with driver.session(database=database) as session:
            session.run(query("schema_await_indexes"), timeout_seconds=INDEX_WAIT_SECONDS).consume()
        driver.execute_query(query("schema_version_set"), version=version, database_=database)
    return SCHEMA_VERSION

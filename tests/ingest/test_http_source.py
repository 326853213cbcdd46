"""The HTTP JSON import source against real HTTP servers on 127.0.0.1 (see http_fixtures.py)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from http_fixtures import InterchangeApi, closed_port_url, running_apis, sample_objects

from graphsvc.config import Settings
from graphsvc.errors import ConfigError, InputError
from graphsvc.interchange import SPECS
from graphsvc.model import ImportStatus
from graphsvc.store import GraphStore
from ingest.http_client import Redactor, SourceError
from ingest.http_source import HttpFetch, HttpSourceConfig, fetch_http
from ingest.reader import Dataset
from ingest.runner import ImportOptions, ImportResult, run_dataset

Api = Callable[..., InterchangeApi]
TOKEN = "s3cr3t-T0KEN-value-42"
T1 = "2024-03-01T10:00:00Z"
T2 = "2024-03-02T08:30:00Z"


@pytest.fixture
def interchange_api() -> Iterator[Api]:
    with running_apis() as start:
        yield start


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for (recorded instead of slept, so tests stay fast)."""
    return []


def fetch(
    config: HttpSourceConfig, sleeps: list[float], cursor: str | None = None, **kw: Any
) -> HttpFetch:
    return fetch_http(config, cursor, sleep=sleeps.append, **kw)


def rows(dataset: Dataset) -> dict[str, list[tuple[int, Any]]]:
    """Entity → the (line, object) rows the runner would read."""
    return {source.entity: list(source.rows()) for unit in dataset.units for source in unit.sources}


def ids(dataset: Dataset, entity: str) -> list[str]:
    return [values["id"] for _line, values in rows(dataset).get(entity, [])]


# --- pagination ----------------------------------------------------------------------------


@pytest.mark.parametrize("absolute", [False, True])
def test_next_links_are_followed_and_every_object_is_spooled(
    interchange_api: Api, sleeps: list[float], absolute: bool
) -> None:
    api = interchange_api(sample_objects(T1), page_size=4, absolute_next=absolute)
    result = fetch(HttpSourceConfig(api.url, name="crm"), sleeps)
    with result.dataset as dataset:
        spooled = rows(dataset)
        assert (result.pages, result.items, result.requests, result.retries) == (3, 11, 3, 0)
        assert [len(spooled[e]) for e in ("people", "communities", "memberships")] == [3, 1, 2]
        assert [len(spooled[e]) for e in ("interactions", "activities", "participations")] == [
            2,
            1,
            2,
        ]
        # line = ordinal in the fetch; "type" and the cursor field are not interchange fields
        assert spooled["people"][0] == (1, {"id": "p1", "name": "Ana", "email": "ana@example.org"})
        assert spooled["participations"][-1][0] == 11
        assert dataset.units[0].label == "crm" and dataset.units[0].problems == []
    assert [r.query.get("offset") for r in api.requests] == [None, "4", "8"]


def test_link_headers_and_bare_arrays(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=5, mode="link")
    result = fetch(HttpSourceConfig(api.url), sleeps)
    with result.dataset as dataset:
        assert ids(dataset, "people") == ["p1", "p2", "p3"]
        assert (result.pages, result.items) == (3, 11)
        assert dataset.units[0].label == api.url


def test_page_numbers_stop_at_the_first_empty_page(
    interchange_api: Api, sleeps: list[float]
) -> None:
    api = interchange_api(sample_objects(T1), mode="page", page_size=100)
    config = HttpSourceConfig(api.url, page_param="page", page_size_param="per_page", page_size=4)
    result = fetch(config, sleeps)
    result.dataset.close()
    assert (result.pages, result.items, result.requests) == (3, 11, 4)
    assert [(r.query["page"], r.query["per_page"]) for r in api.requests] == [
        ("1", "4"),
        ("2", "4"),
        ("3", "4"),
        ("4", "4"),
    ]


def test_progress_is_reported_after_each_page(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=5)
    seen: list[tuple[str, int]] = []
    config = HttpSourceConfig(api.url, name="crm")
    fetch(config, sleeps, progress=lambda *a: seen.append(a)).dataset.close()
    assert seen == [("crm", 5), ("crm", 10), ("crm", 11)]


def test_a_next_link_loop_is_detected(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api()
    api.script(body={"items": [], "next": "/objects?offset=2"})
    api.script(body={"items": [], "next": api.url})
    with pytest.raises(SourceError, match="pagination loop") as caught:
        fetch(HttpSourceConfig(api.url), sleeps)
    assert len(api.requests) == 2
    assert caught.value.file == api.url


def test_more_pages_than_max_pages_is_an_error(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=2)
    with pytest.raises(SourceError, match=r"more than max_pages \(3\)"):
        fetch(HttpSourceConfig(api.url, max_pages=3), sleeps)
    assert len(api.requests) == 3


# --- authentication ------------------------------------------------------------------------


def test_the_auth_header_is_read_from_the_environment(
    interchange_api: Api, sleeps: list[float]
) -> None:
    api = interchange_api(sample_objects(T1), page_size=4, token=TOKEN)
    config = HttpSourceConfig(api.url, auth_env="CRM_TOKEN")
    result = fetch(config, sleeps, environ={"CRM_TOKEN": TOKEN})
    result.dataset.close()
    assert result.items == 11
    assert {r.headers["authorization"] for r in api.requests} == {f"Bearer {TOKEN}"}
    assert TOKEN not in repr(config)


def test_a_raw_secret_in_a_custom_header(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=20)
    config = HttpSourceConfig(api.url, auth_env="KEY", auth_header="X-Api-Key", auth_scheme="")
    fetch(config, sleeps, environ={"KEY": TOKEN}).dataset.close()
    assert api.requests[0].headers["x-api-key"] == TOKEN
    assert "authorization" not in api.requests[0].headers


def test_without_the_token_401_is_raised_at_once(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), token=TOKEN)
    with pytest.raises(SourceError, match="HTTP 401 Unauthorized") as caught:
        fetch(HttpSourceConfig(api.url), sleeps)
    assert isinstance(caught.value, InputError) and caught.value.http_status == 401
    assert len(api.requests) == 1 and sleeps == []


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_client_errors_are_never_retried(
    interchange_api: Api, sleeps: list[float], status: int
) -> None:
    api = interchange_api()
    api.script(status, {"error": "nope"}, times=5)
    with pytest.raises(SourceError, match=f"HTTP {status}") as caught:
        fetch(HttpSourceConfig(api.url), sleeps)
    assert caught.value.attempts == 1 and len(api.requests) == 1 and sleeps == []
    assert '"error": "nope"' in str(caught.value)  # the start of the body helps the integrator


def test_an_unset_secret_variable_is_a_config_error_before_any_request(
    interchange_api: Api, sleeps: list[float]
) -> None:
    api = interchange_api(token=TOKEN)
    with pytest.raises(ConfigError, match="environment variable CRM_TOKEN is not set"):
        fetch(HttpSourceConfig(api.url, auth_env="CRM_TOKEN"), sleeps, environ={})
    assert api.requests == []


def test_the_secret_is_not_sent_to_another_origin(
    interchange_api: Api, sleeps: list[float]
) -> None:
    other = interchange_api(sample_objects(T1)[:2], page_size=5)
    api = interchange_api()
    api.script(body={"items": sample_objects(T1)[2:4], "next": other.url})
    result = fetch(HttpSourceConfig(api.url, auth_env="T"), sleeps, environ={"T": TOKEN})
    result.dataset.close()
    assert result.items == 4
    assert api.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert "authorization" not in other.requests[0].headers


def test_redirects_keep_a_custom_auth_header_on_the_same_origin_only(
    interchange_api: Api, sleeps: list[float]
) -> None:
    other = interchange_api(sample_objects(T1)[:2], page_size=1)
    api = interchange_api()
    api.script(302, b"", {"Location": "/moved"})
    api.script(307, b"", {"Location": other.url})
    config = HttpSourceConfig(api.url, auth_env="K", auth_header="X-Api-Key", auth_scheme="")
    with fetch(config, sleeps, environ={"K": TOKEN}) as result:
        assert ids(result.dataset, "people") == ["p1", "p2"]
    assert [r.path for r in api.requests] == ["/objects", "/moved"]
    assert [r.headers.get("x-api-key") for r in api.requests] == [TOKEN, TOKEN]
    # the second page's relative next link resolves against the server redirected to
    assert [r.query.get("offset") for r in other.requests] == [None, "1"]
    assert [r.headers.get("x-api-key") for r in other.requests] == [None, None]


# --- retries -------------------------------------------------------------------------------


def test_5xx_is_retried_with_growing_waits(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=20)
    api.fail_next(2, status=503)
    result = fetch(HttpSourceConfig(api.url, backoff=0.5), sleeps)
    result.dataset.close()
    assert (result.items, result.requests, result.retries) == (11, 3, 2)
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_waits_are_capped_by_max_backoff(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=20)
    api.fail_next(4, status=500)
    config = HttpSourceConfig(api.url, backoff=1.0, max_backoff=2.0, max_retries=4)
    fetch(config, sleeps).dataset.close()
    assert len(sleeps) == 4 and max(sleeps) <= 2.0 and sleeps[-1] >= 1.0


def test_429_honours_retry_after(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=20)
    api.fail_next(1, status=429, retry_after="7")
    result = fetch(HttpSourceConfig(api.url, backoff=0.1), sleeps)
    result.dataset.close()
    assert result.retries == 1 and sleeps == [7.0]


def test_a_retry_after_beyond_max_backoff_ends_the_retries(
    interchange_api: Api, sleeps: list[float]
) -> None:
    api = interchange_api(sample_objects(T1))
    api.fail_next(1, status=429, retry_after="3600")
    with pytest.raises(SourceError, match="retry after 3600 s, more than max_backoff"):
        fetch(HttpSourceConfig(api.url), sleeps)
    assert len(api.requests) == 1 and sleeps == []


def test_persistent_5xx_gives_up_naming_url_attempts_and_cause(
    interchange_api: Api, sleeps: list[float]
) -> None:
    api = interchange_api(sample_objects(T1))
    api.fail_next(10, status=502)
    with pytest.raises(SourceError) as caught:
        fetch(HttpSourceConfig(api.url, max_retries=3), sleeps)
    assert str(caught.value) == f"{api.url}: gave up after 4 attempt(s): HTTP 502 Bad Gateway"
    assert len(api.requests) == 4 and len(sleeps) == 3


def test_a_refused_connection_is_retried_then_reported(sleeps: list[float]) -> None:
    url = closed_port_url()
    with pytest.raises(SourceError) as caught:
        fetch(HttpSourceConfig(url, max_retries=2), sleeps)
    assert str(caught.value).startswith(f"{url}: gave up after 3 attempt(s): connection failed")
    assert "refused" in str(caught.value).lower()
    assert len(sleeps) == 2


def test_a_slow_server_times_out_and_is_retried(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=20)
    api.delay(2.0, times=1)
    result = fetch(HttpSourceConfig(api.url, timeout=0.2), sleeps)
    result.dataset.close()
    assert (result.items, result.requests, result.retries) == (11, 2, 1)


def test_a_server_that_stays_slow_fails_after_max_retries(
    interchange_api: Api, sleeps: list[float]
) -> None:
    api = interchange_api(sample_objects(T1))
    api.delay(2.0)
    with pytest.raises(
        SourceError, match=r"gave up after 3 attempt\(s\): no response within 0.2 s"
    ):
        fetch(HttpSourceConfig(api.url, timeout=0.2, max_retries=2), sleeps)
    assert len(api.requests) == 3


# --- incremental fetches -------------------------------------------------------------------


def test_the_cursor_fetches_only_newer_objects(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), page_size=4)
    config = HttpSourceConfig(api.url)
    first = fetch(config, sleeps)
    first.dataset.close()
    assert first.next_cursor == T1 and first.items == 11

    api.add([{"type": "person", "id": "p4", "name": "Di", "updated_at": T2}])
    second = fetch(config, sleeps, first.next_cursor)
    with second.dataset as dataset:
        assert ids(dataset, "people") == ["p4"] and second.items == 1
    assert second.next_cursor == T2
    assert api.requests[-1].query["updated_since"] == T1

    third = fetch(config, sleeps, second.next_cursor)
    third.dataset.close()
    assert (third.items, third.next_cursor) == (0, T2)


def test_cursor_values_compare_as_instants_across_time_zones(
    interchange_api: Api, sleeps: list[float]
) -> None:
    stamps = [
        "2024-03-01T12:30:00+02:00",
        "2024-03-01T11:00:00Z",
        1709287200,
        "1709290800.5",
        "2024-03-01T05:45:00-05:00",
    ]
    people = [
        {"type": "person", "id": f"p{n}", "updated_at": stamp} for n, stamp in enumerate(stamps)
    ]
    api = interchange_api(people, page_size=2)
    result = fetch(HttpSourceConfig(api.url), sleeps)
    result.dataset.close()
    # 1709290800.5 = 11:00:00.5Z is the latest; "12:30+02:00" (10:30Z) sorts last as text
    assert result.next_cursor == "2024-03-01T11:00:00.500000Z"


def test_the_cursor_never_moves_back(interchange_api: Api, sleeps: list[float]) -> None:
    api = interchange_api(sample_objects(T1), inclusive=True)
    result = fetch(HttpSourceConfig(api.url, cursor_param="since"), sleeps, "2024-06-01T00:00:00Z")
    result.dataset.close()
    assert result.items == 11 and result.next_cursor == "2024-06-01T00:00:00Z"
    assert api.requests[0].query["since"] == "2024-06-01T00:00:00Z"


def test_a_change_time_in_the_future_does_not_move_the_cursor_past_now(
    interchange_api: Api, sleeps: list[float]
) -> None:
    api = interchange_api([{"type": "person", "id": "p1", "updated_at": "2099-01-01T00:00:00Z"}])
    before = datetime.now(UTC)
    with fetch(HttpSourceConfig(api.url), sleeps) as result:
        assert result.items == 1
    assert result.next_cursor is not None
    assert before <= datetime.fromisoformat(result.next_cursor) <= datetime.now(UTC)


def test_a_cursor_field_that_is_an_interchange_column_is_kept(
    interchange_api: Api, sleeps: list[float]
) -> None:
    objects = [obj for obj in sample_objects(T1) if obj["type"] in ("person", "interaction")]
    api = interchange_api(objects, page_size=10)
    result = fetch(HttpSourceConfig(api.url, cursor_field="at"), sleeps)
    with result.dataset as dataset:
        assert all("at" in values for _line, values in rows(dataset)["interactions"])
    assert result.next_cursor == "2024-02-02T09:00:00Z"


# --- bad pages and bad items ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html>oops</html>", "response is not JSON: Expecting value (line 1, column 1)"),
        ("", "empty response body (expected JSON)"),
        ({"data": []}, "JSON object without an 'items' key (keys: 'data')"),
        ({"items": {"a": 1}}, "'items' is an object, not an array"),
        ('"hello"', "expected a JSON array or an object with an 'items' array, got a string"),
        ([{"type": "person", "id": "p1"}, 7], "item 2 of the page is a number, not an object"),
    ],
)
def test_a_page_of_the_wrong_shape_is_an_error_naming_the_url(
    interchange_api: Api, sleeps: list[float], body: object, reason: str
) -> None:
    api = interchange_api()
    api.script(200, body)
    with pytest.raises(SourceError) as caught:
        fetch(HttpSourceConfig(api.url), sleeps)
    assert str(caught.value) == f"{api.url}: {reason}"
    assert len(api.requests) == 1


def test_bad_items_become_problems_and_the_rest_is_spooled(
    interchange_api: Api, sleeps: list[float]
) -> None:
    objects = [
        {"type": "person", "id": "p1", "updated_at": T1},
        {"type": "robot", "id": "r1", "updated_at": T2},
        {"id": "p2"},
        {"type": "person", "id": "p3", "updated_at": "last tuesday"},
        {"type": "person", "id": "p4"},
    ]
    api = interchange_api(objects, page_size=3)
    result = fetch(HttpSourceConfig(api.url, name="crm"), sleeps)
    with result.dataset as dataset:
        assert ids(dataset, "people") == ["p1", "p4"]
        problems = dataset.units[0].problems
    second_page = f"{api.url}?offset=3"
    assert problems[0].startswith("crm:2: type: 'robot', expected one of person, community,")
    assert problems[0].endswith(f"(item 2 of page {api.url})")
    assert problems[1].startswith("crm:3: type: missing, expected one of person,")
    assert problems[2] == (
        "crm:4: updated_at: not an ISO 8601 date/datetime or Unix seconds: 'last tuesday'"
        f" (item 1 of page {second_page})"
    )
    assert result.next_cursor == T2  # every object that says when it changed counts


# --- secrets ---------------------------------------------------------------------------------


def test_the_secret_never_appears_in_errors_or_logs(
    interchange_api: Api, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = interchange_api()
    api.script(401, f"token {TOKEN} is not valid")  # a server that echoes the token
    api.fail_next(3, status=503)
    leaky_next = {"items": [{"id": TOKEN}], "next": f"/objects?access_token={TOKEN}"}
    api.script(200, leaky_next)
    api.script(200, "not json")
    api.script(200, leaky_next)
    api.script(200, [{"type": "robot"}])
    config = HttpSourceConfig(api.url, auth_env="T", max_retries=2)
    messages = []
    for _ in range(3):
        with pytest.raises(InputError) as caught:
            fetch(config, sleeps, environ={"T": TOKEN})
        messages.append(str(caught.value))
    with fetch(config, sleeps, environ={"T": TOKEN}).dataset as dataset:
        messages += dataset.units[0].problems
    assert "token *** is not valid" in messages[0]
    assert "gave up after 3 attempt(s): HTTP 503" in messages[1]
    assert "?access_token=***: response is not JSON" in messages[2]
    assert messages[4].endswith(f"(item 1 of page {api.url}?access_token=***)")
    assert {r.headers["authorization"] for r in api.requests} == {f"Bearer {TOKEN}"}
    assert all(TOKEN not in m for m in messages)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("ingest.")]
    assert ours and all(TOKEN not in message for message in ours)


def test_secrets_in_the_configured_url_are_masked(sleeps: list[float]) -> None:
    url = closed_port_url(f"/objects?api_key={TOKEN}&page_size=5")
    config = HttpSourceConfig(url, max_retries=0)
    assert TOKEN not in config.label and "api_key=***&page_size=5" in config.label
    with pytest.raises(SourceError) as caught:
        fetch(config, sleeps)
    assert TOKEN not in str(caught.value) and "api_key=***" in str(caught.value)


def test_the_redactor_masks_userinfo_secret_params_and_the_secret() -> None:
    redactor = Redactor([TOKEN])
    assert redactor.url(f"https://ann:{TOKEN}@h.example/x?sig=abc&q=1&note={TOKEN}") == (
        "https://ann:***@h.example/x?sig=***&q=1&note=***"
    )
    assert redactor.text(f"Bearer {TOKEN}.") == "Bearer ***."


# --- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "ftp://h/x"}, "url: must be an http:// or https:// URL with a host"),
        ({"url": "http://[::1/x"}, "url: must be an http:// or https:// URL with a host"),
        ({"url": "http://h:99999/x"}, "url: must be an http:// or https:// URL with a host"),
        ({"page_size": 0, "page_size_param": "n"}, "page_size: must be ≥ 1, not 0"),
        ({"page_size": 10}, "page_size_param and page_size: set both or neither"),
        ({"timeout": 0}, "timeout: must be a finite number of seconds > 0, not 0"),
        ({"max_retries": -1}, "max_retries: must be ≥ 0, not -1"),
        ({"max_retries": "3"}, "max_retries: must be a whole number, not '3'"),
        ({"auth_env": "MY-TOKEN"}, "auth_env: not an environment variable name: 'MY-TOKEN'"),
        ({"page_param": "page no"}, "page_param: not a valid name: 'page no'"),
        ({"items_key": ""}, "items_key: must not be empty"),
    ],
)
def test_bad_settings_are_config_errors(changes: dict[str, object], message: str) -> None:
    values = {"url": "https://api.example/objects", **changes}
    with pytest.raises(ConfigError, match="HTTP source .*: " + message.replace("(", r"\(")):
        HttpSourceConfig.from_mapping(values)


def test_from_mapping_rejects_unknown_keys() -> None:
    with pytest.raises(ConfigError, match="crm: unknown key\\(s\\) pagesize"):
        HttpSourceConfig.from_mapping({"name": "crm", "url": "https://h/x", "pagesize": 5})
    config = HttpSourceConfig.from_mapping({"url": "https://h/x", "timeout": 5, "name": "crm"})
    assert (config.timeout, config.label) == (5, "crm")


def test_a_failed_fetch_leaves_no_spool_files(
    interchange_api: Api, sleeps: list[float], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    api = interchange_api(sample_objects(T1), page_size=4)
    api.script(200, {"items": sample_objects(T1)[:4], "next": "/objects?offset=4"})
    api.script(200, "broken")
    with pytest.raises(SourceError):
        fetch(HttpSourceConfig(api.url), sleeps)
    assert list(tmp_path.iterdir()) == []
    result = fetch(HttpSourceConfig(api.url), sleeps)
    assert len(list(tmp_path.iterdir())) == 1
    result.dataset.close()
    assert list(tmp_path.iterdir()) == []


# --- end to end: fetch → the import runner → SQLite --------------------------------------------


def import_http(
    store: GraphStore, config: HttpSourceConfig, sleeps: list[float]
) -> tuple[ImportResult, HttpFetch]:
    """An HTTP import as the runner does a file's (``run_dataset``, as ``run_import`` calls it):
    fetch from the stored cursor inside the run, keep the new cursor once the run has ended
    with every batch committed."""
    fetched: list[HttpFetch] = []

    def open_data() -> Dataset:
        fetched.append(fetch(config, sleeps, store.get_cursor(config.label)))
        return fetched[-1].dataset

    result = run_dataset(store, config.label, open_data, Settings(batch_size=2), ImportOptions())
    if result.ok and fetched[-1].next_cursor is not None:
        store.set_cursor(config.label, fetched[-1].next_cursor)
    return result, fetched[-1]


def graph_counts(store: GraphStore) -> dict[str, int]:
    """The store's record counts of the six interchange entities."""
    return {entity: n for entity, n in store.counts().items() if entity in SPECS}


def test_fetch_and_load_into_sqlite_then_rerun_with_the_cursor(
    interchange_api: Api, sleeps: list[float], sqlite_store: GraphStore
) -> None:
    api = interchange_api(sample_objects(T1), page_size=3)
    config = HttpSourceConfig(api.url, name="crm")
    result, fetched = import_http(sqlite_store, config, sleeps)
    assert result.ok and result.bad_rows == 0 and result.run.source == "crm"
    assert graph_counts(sqlite_store) == {
        "people": 3,
        "communities": 1,
        "memberships": 2,
        "interactions": 2,
        "activities": 1,
        "participations": 2,
    }
    assert (fetched.items, sqlite_store.get_cursor("crm")) == (11, T1)

    before = graph_counts(sqlite_store)
    result, fetched = import_http(sqlite_store, config, sleeps)
    assert result.ok and fetched.items == 0
    assert api.requests[-1].query["updated_since"] == T1
    assert graph_counts(sqlite_store) == before and sqlite_store.get_cursor("crm") == T1

    changed = {"type": "person", "id": "p1", "name": "Ana B.", "updated_at": T2}
    tie = {
        "type": "interaction",
        "id": "i3",
        "kind": "collaboration",
        "source_id": "p1",
        "target_id": "p3",
        "at": "2024-03-02T08:00:00Z",
        "updated_at": T2,
    }
    api.add([changed, tie])
    result, fetched = import_http(sqlite_store, config, sleeps)
    assert result.ok and fetched.items == 2
    assert graph_counts(sqlite_store) == {**before, "interactions": before["interactions"] + 1}
    person = sqlite_store.get_person("p1")
    assert person is not None and person.name == "Ana B."
    assert sqlite_store.get_cursor("crm") == T2


def test_a_failed_fetch_is_recorded_and_keeps_the_cursor(
    interchange_api: Api, sleeps: list[float], sqlite_store: GraphStore
) -> None:
    api = interchange_api(sample_objects(T1), page_size=3)
    config = HttpSourceConfig(api.url, name="crm", max_retries=1)
    sqlite_store.set_cursor("crm", "2024-01-01T00:00:00Z")
    api.fail_next(2, status=500)
    with pytest.raises(SourceError, match="gave up after 2 attempt"):
        import_http(sqlite_store, config, sleeps)
    run = sqlite_store.import_runs(1)[0]
    assert run.source == "crm" and run.status == ImportStatus.FAILED
    assert "HTTP 500" in run.errors[-1]
    assert sqlite_store.get_cursor("crm") == "2024-01-01T00:00:00Z"

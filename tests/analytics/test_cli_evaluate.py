"""``graphsvc evaluate intervention`` on the demo world in a real SQLite store."""

from __future__ import annotations

import json

import pytest
from demo_stores import sqlite_with

from graphsvc.cli import main
from graphsvc.demo import generate
from graphsvc.demo_events import WORKSHOP_ACTIVITY_ID


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    world = generate(people=500, months=12, seed=7)
    return sqlite_with(world, tmp_path_factory.mktemp("evaluate") / "demo.db")


def test_the_planted_workshop_shows_in_the_report(
    uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", uri, "evaluate", "intervention", WORKSHOP_ACTIVITY_ID, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["intervention"]["activity_id"] == WORKSHOP_ACTIVITY_ID
    assert report["did"]["effect"]["ci_low"] > 0  # the planted rise, interval above zero
    assert main(["--store", uri, "evaluate", "intervention", WORKSHOP_ACTIVITY_ID]) == 0
    text = capsys.readouterr().out
    assert "matched non-participants" in text and "Placebo dates" in text


def test_placebo_dates_before_the_workshop_show_no_such_effect(
    uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", uri, "evaluate", "intervention", WORKSHOP_ACTIVITY_ID, "--json"]) == 0
    placebo = json.loads(capsys.readouterr().out)["placebo"]
    assert placebo["n_placebos"] >= 2 and placebo["share_as_extreme"] == 0
    april = next(p for p in placebo["placebos"] if p["date"] == "2025-04-01")
    assert april["ci_low"] <= 0 <= april["ci_high"]  # placebos use only pre-workshop data


def test_any_date_can_be_evaluated(uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--store", uri, "evaluate", "intervention", WORKSHOP_ACTIVITY_ID, "--at", "2025-09-01"]
    assert main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intervention"]["start"].startswith("2025-09-01")


def test_an_unknown_activity_is_not_found(uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", uri, "evaluate", "intervention", "no-such-activity"]) == 4
    assert "no-such-activity" in capsys.readouterr().err

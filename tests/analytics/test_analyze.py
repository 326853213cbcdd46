"""analyze() on a small hand-made window: options reach the metrics, consent hides names,
stage timings are recorded (the 10,000-person end-to-end checks are in test_report.py)."""

from __future__ import annotations

from analytics.projection import ProjectionOptions, interaction_arrays, project
from analytics.report import AnalysisOptions, analyze
from analytics.summary import summary
from graphsvc.model import Membership

# a–b twice and b–c once inside x; c–d once across to y; d–e inside y
ROWS = [("a", "b", 0), ("b", "a", 1), ("b", "c", 2), ("c", "d", 3), ("d", "e", 4)]
MEMBERS = [Membership(p, "x") for p in "abc"] + [Membership(p, "y") for p in "de"]


def window(measure: str = "ties", consent: dict[str, bool] | None = None) -> dict:
    main = project(interaction_arrays(ROWS), MEMBERS)
    flows = project(interaction_arrays([]), MEMBERS, ProjectionOptions(directed=True),
                    people=main.person_ids, labels=main.labels)  # fmt: skip
    timings: dict[str, float] = {}
    report = analyze(main, flows, flows, AnalysisOptions(permutations=19, ei_measure=measure),
                     consent=consent, timings=timings)  # fmt: skip
    return {"json": report.to_dict(), "timings": timings, "text": summary(report)}


def test_ei_counts_ties_or_interactions_as_asked() -> None:
    ties = window("ties")["json"]["network"]
    counts = window("count")["json"]["network"]
    # ties: internal a–b, b–c, d–e = 3, external c–d = 1 → (1 − 3)/4
    assert ties["ei"] == -0.5 and ties["ei_measure"] == "ties"
    # interactions: internal 2 + 1 + 1 = 4, external 1 → (1 − 4)/5
    assert counts["ei"] == -0.6 and counts["ei_measure"] == "count"


def test_withheld_people_are_counted_but_not_named() -> None:
    result = window(consent={"c": False})
    document, text = result["json"], result["text"]
    assert [row["id"] for row in document["people"]] == ["a", "b", "d", "e"]
    assert document["network"]["withheld"] == 1 and "(c)" not in text and " c:" not in text


def test_every_stage_is_timed() -> None:
    stages = set(window()["timings"])
    assert {"cross-community betweenness", "E-I and silos", "Leiden clusters",
            "betweenness (rest)"} <= stages  # fmt: skip

"""Server-drawn trend charts: valid SVG, gaps where data are missing, bands, trajectory."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from web.svg_chart import Point, Trajectory, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def month(m: int) -> datetime:
    return datetime(2025, m, 1, tzinfo=UTC)


def test_a_series_with_a_gap_draws_two_lines_and_two_bands() -> None:
    points = [
        Point(month(1), 0.2, 0.15, 0.25),
        Point(month(2), 0.25, 0.2, 0.3),
        Point(month(3), None),  # insufficient data: the line breaks here
        Point(month(4), 0.3, 0.25, 0.35),
        Point(month(5), 0.32, None, None),  # a value without an interval
    ]
    root = ET.fromstring(trend_chart(points, "Cross share <CoP & co>", percent=True))
    assert root.find(f"{SVG}title").text == "Cross share <CoP & co>"
    assert "4 of 5 periods with data" in root.find(f"{SVG}desc").text
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    bands = root.findall(f"{SVG}polygon")
    assert [len(band.get("points").split()) for band in bands] == [4, 2]  # 2 points up + down, 1
    assert len(root.findall(f"{SVG}circle")) == 4


def test_higher_values_are_drawn_higher_and_inside_the_frame() -> None:
    points = [Point(month(m), v) for m, v in ((1, 0.1), (2, 0.5), (3, 0.3))]
    root = ET.fromstring(trend_chart(points, "t"))
    ys = [float(c.get("cy")) for c in root.findall(f"{SVG}circle")]
    xs = [float(c.get("cx")) for c in root.findall(f"{SVG}circle")]
    assert ys[1] < ys[2] < ys[0]  # SVG y grows downwards
    assert xs == sorted(xs) and all(0 <= x <= 640 for x in xs) and all(0 <= y <= 240 for y in ys)


def test_the_trajectory_runs_from_baseline_to_the_target_marker() -> None:
    line = Trajectory(month(1), 0.2, month(12), 0.5)
    root = ET.fromstring(trend_chart([Point(month(2), 0.22)], "t", trajectory=line))
    dashed = root.find(f"{SVG}line[@class='trajectory']")
    target = root.find(f"{SVG}circle[@class='target']")
    assert dashed is not None and target is not None
    assert float(dashed.get("x2")) == float(target.get("cx")) > float(dashed.get("x1"))
    assert float(dashed.get("y2")) < float(dashed.get("y1"))  # the target is higher


def test_no_data_still_makes_a_valid_chart_that_says_so() -> None:
    root = ET.fromstring(trend_chart([Point(month(1), None)], "empty"))
    assert root.find(f"{SVG}desc").text == "No period has enough data to show."
    assert "http" not in "".join(root.itertext())

"""The evaluation report: one self-contained HTML file a funder can read and print.

Everything is inline — the charts are SVG (:mod:`web.svg_chart`), the styles one ``<style>``
element, no script, no image or font from anywhere — so the file opens offline and prints
to PDF cleanly (print rules keep each chart and table on one page). Sections: the
community's purpose, the objectives with their status, each indicator's trend with its
interval and latest periods, before/after reports of chosen activities, and the
Wenger-Trayner value table (network proxies beside the stories). Small groups are
suppressed as on the pages. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from graphsvc.model import Community, Story
from web.evaluation_view import SHARES, chart_svg

#: Wenger, Trayner & de Laat (2011) / Wenger-Trayner (2020): value → network proxies shown
VALUE_PROXIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("immediate", "Activities and interactions are worth taking part in",
     ("active_people", "interactions")),
    ("potential", "Knowledge capital: new ties, reach", ("new_cross_ties", "reach_2")),
    ("applied", "Practice changes: people work across groups", ("cross_share",)),
    ("realized", "Performance improves (outcome data, not the network)", ()),
    ("transformative", "Redefining success, new structures", ()),
    ("orienting", "Knowing where to look: connected group pairs",
     ("pairs_connected", "fragile_pairs")),
    ("enabling", "Conditions that help: introductions that became ties", ("conversion",)),
    ("strategic", "Alignment with sponsors and other organisations", ()),
)  # fmt: skip
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;color:#1f2933;max-width:60rem;margin:2rem auto;
padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #cbd2d9}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #e4e7eb;padding:.25rem .45rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#616e7c}
.status{font-weight:700;padding:0 .4rem;border-radius:.3rem}.green{background:#c6f7e2}
.amber{background:#fff3c4}.red{background:#ffd0d0}.insufficient{background:#e4e7eb}
section,figure,table{break-inside:avoid}figure{margin:1rem 0}svg{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}}
"""


def report_html(
    *,
    title: str,
    community: Community | None,
    series: dict[str, list[dict[str, Any]]],
    objectives: Sequence[dict[str, Any]],
    stories: Sequence[Story],
    interventions: Sequence[dict[str, Any]] = (),
    conversion: dict[str, Any] | None = None,
    variant: dict[str, Any] | None = None,
    min_group: int = 5,
    generated: datetime | None = None,
    ties: Sequence[dict[str, Any]] = (),
) -> str:
    """The whole report (see the module)."""
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">Generated {when} by graphsvc. {escape(_variant_text(variant))}'
        f" Groups under {min_group} active people are not shown.</p>",
        *_purpose(community),
        *_objectives(objectives),
        *_trends(series),
        *_interventions(interventions),
        *_ties(ties),
        *_values(series, stories, conversion),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")  # fmt: skip


def _variant_text(variant: dict[str, Any] | None) -> str:
    if not variant:
        return "No stored indicator history yet (run graphsvc snapshot)."
    parameters = ", ".join(f"{k} {v}" for k, v in sorted(variant["parameters"].items()))
    return f"Indicators: definition {variant['definition']} ({parameters})."


def _purpose(community: Community | None) -> list[str]:
    if community is None:
        return ["<h2>Scope</h2><p>The whole network.</p>"]
    parts = ["<h2>Purpose</h2>", f"<p>{escape(community.description or 'No description.')}</p>"]
    if community.objectives:
        parts.append(
            f"<p><strong>Objectives as stated:</strong> {escape(community.objectives)}</p>"
        )
    return parts


def _objectives(rows: Sequence[dict[str, Any]]) -> list[str]:
    parts = ["<h2>Objectives and where they stand</h2>"]
    if not rows:
        return [*parts, '<p class="muted">No objectives recorded.</p>']
    parts.append("<table><tr><th>Objective</th><th>Baseline → target</th><th>Latest</th>"
                 "<th>Status</th><th>Projection at the deadline</th></tr>")  # fmt: skip
    for o in rows:
        status = o["status"]
        latest = "–" if status["value"] is None else _number(o["indicator"], status["value"])
        projection = (
            "–" if status["projection"] is None else _number(o["indicator"], status["projection"])
        )
        parts.append(
            f"<tr><td>{escape(o['description'] or o['indicator'])}</td>"
            f"<td>{_number(o['indicator'], o['baseline'])} ({o['baseline_at'][:10]}) → "
            f"{_number(o['indicator'], o['target'])} by {o['deadline'][:10]}</td>"
            f"<td class=n>{latest}</td><td><span class=\"status {status['status']}\">"
            f"{escape(status['status'])}</span></td><td class=n>{projection}</td></tr>"
        )  # fmt: skip
    return [*parts, "</table>"]


def _trends(series: dict[str, list[dict[str, Any]]]) -> list[str]:
    parts = ["<h2>Indicators over time</h2>"]
    if not series:
        return [*parts, '<p class="muted">No indicator history stored.</p>']
    for indicator, periods in sorted(series.items()):
        parts.append(f"<figure>{chart_svg(periods, indicator, indicator)}"
                     f"<figcaption>{escape(indicator)}: value per period with its interval"
                     "</figcaption></figure>")  # fmt: skip
        parts.append(_period_table(indicator, periods[-6:]))
    return parts


def _period_table(indicator: str, periods: Sequence[dict[str, Any]]) -> str:
    rows = ["<table><tr><th>Period</th><th>Value</th><th>Interval</th><th>Interactions</th>"
            "<th>Active people</th></tr>"]  # fmt: skip
    for p in periods:
        if p["suppressed"]:
            value, interval = "suppressed (small group)", ""
        elif p["insufficient"] or p["value"] is None:
            value, interval = "insufficient data", ""
        else:
            value = _number(indicator, p["value"])
            interval = "" if p["low"] is None else _interval(indicator, p["low"], p["high"])
        rows.append(f"<tr><td>{p['period_start'][:10]}</td><td class=n>{value}</td>"
                    f"<td class=n>{interval}</td><td class=n>{p['n_interactions']}</td>"
                    f"<td class=n>{p['n_active']}</td></tr>")  # fmt: skip
    return "".join(rows) + "</table>"


def _interventions(reports: Sequence[dict[str, Any]]) -> list[str]:
    if not reports:
        return []
    parts = ["<h2>Before and after activities</h2>"]
    for report in reports:
        event, did = report["intervention"], report.get("did")
        name = escape(event.get("name") or event.get("activity_id") or "")
        parts.append(f"<h3>{name} ({event['start'][:10]},"
                     f" {event['participants']} participants)</h3>")  # fmt: skip
        if did:
            e = did["effect"]
            parts.append(
                "<p>Cross-community interactions per participant and period, against matched"
                f" non-participants: <strong>{_signed(e['estimate'])}</strong> (95% interval"
                f" {_signed(e['ci_low'])} to {_signed(e['ci_high'])}; p = {_p(e['p'])})."
                " The event's own ties are left out.</p>"
            )
        placebo = report.get("placebo")
        if placebo:
            parts.append(f"<p class=\"muted\">{placebo['n_placebos']} placebo dates before the"
                         " activity; share as extreme as the real effect: "
                         f"{_share(placebo['share_as_extreme'])}.</p>")  # fmt: skip
    return parts


def _ties(rows: Sequence[dict[str, Any]]) -> list[str]:
    """How long ties last (:mod:`web.api_ties` rows: suppressed ones say so)."""
    if not rows:
        return []
    parts = ["<h2>How long ties last</h2>",
             '<p class="muted">From a tie\'s first interaction to its last; ended after 90 days'
             " without one (Kaplan–Meier, 90% intervals).</p>",
             "<table><tr><th>Scope</th><th>Ties</th><th>Number</th><th>Median days</th>"
             "<th>Alive after 90 days</th><th>After a year</th></tr>"]  # fmt: skip
    for row in rows:
        scope = "the whole network" if row["scope"] == "network" else row["scope"]
        cells = ["suppressed", "", ""] if row["suppressed"] else [
            _median(row), _alive(row["surviving_90d"]), _alive(row["surviving_365d"])]  # fmt: skip
        parts.append(f"<tr><td>{escape(scope)}</td><td>{row['ties']}</td>"
                     f"<td class=\"n\">{row['n']}</td>"
                     + "".join(f'<td class="n">{c}</td>' for c in cells) + "</tr>")  # fmt: skip
    return [*parts, "</table>"]


def _median(row: dict[str, Any]) -> str:
    if row["median_days"] is None:
        return "–"
    high = "…" if row["median_high"] is None else f"{row['median_high']:.0f}"
    return f"{row['median_days']:.0f} ({row['median_low']:.0f}–{high})"


def _alive(alive: dict[str, float]) -> str:
    return f"{alive['value']:.0%} ({alive['low']:.0%}–{alive['high']:.0%})"


def value_rows(
    series: dict[str, list[dict[str, Any]]],
    stories: Sequence[Story],
    conversion: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """The Wenger-Trayner table: per value cycle its meaning, the network proxies' latest
    values in words, and the stories told for it."""
    return [
        {"cycle": cycle, "meaning": meaning,
         "proxies": [x for x in (_proxy(name, series, conversion) for name in proxies) if x],
         "stories": [s for s in stories if s.value_cycle == cycle]}
        for cycle, meaning, proxies in VALUE_PROXIES
    ]  # fmt: skip


def _values(
    series: dict[str, list[dict[str, Any]]],
    stories: Sequence[Story],
    conversion: dict[str, Any] | None,
) -> list[str]:
    parts = ["<h2>Value created (Wenger-Trayner)</h2>",
             '<p class="muted">Network indicators are proxies; the stories say what the'
             " numbers cannot.</p>",
             "<table><tr><th>Value</th><th>Network proxies (latest period)</th>"
             "<th>Stories</th></tr>"]  # fmt: skip
    for row in value_rows(series, stories, conversion):
        stories_html = "".join(
            f"<p>{escape(s.text)} <span class=muted>— {escape(s.author)},"
            f" {s.at:%Y-%m-%d}</span></p>" for s in row["stories"]
        ) or '<span class="muted">–</span>'  # fmt: skip
        proxies = "<br>".join(escape(x) for x in row["proxies"]) or "–"
        parts.append(f"<tr><td><strong>{row['cycle']}</strong><br><span class=muted>"
                     f"{escape(row['meaning'])}</span></td><td>{proxies}</td>"
                     f"<td>{stories_html}</td></tr>")  # fmt: skip
    untold = [s for s in stories if s.value_cycle is None]
    parts.append("</table>")
    if untold:
        parts.append("<h3>Other stories</h3>" + "".join(
            f"<p>{escape(s.text)} <span class=muted>— {escape(s.author)}, {s.at:%Y-%m-%d}"
            "</span></p>" for s in untold))  # fmt: skip
    return parts


def _proxy(
    name: str, series: dict[str, list[dict[str, Any]]], conversion: dict[str, Any] | None
) -> str:
    """One proxy in words, from the latest period with a shown value ('' when none)."""
    if name == "conversion":
        if not conversion or conversion.get("rate") is None:
            return ""
        return (f"introductions that became ties: {_share(conversion['rate'])}"
                f" of {conversion['converted'] + conversion['not_converted']}")  # fmt: skip
    if name in ("active_people", "interactions"):
        base = [p for p in series.get("cross_share", []) if not p["suppressed"]]
        if not base:
            return ""
        field = "n_active" if name == "active_people" else "n_interactions"
        return f"{name.replace('_', ' ')}: {base[-1][field]:,} ({base[-1]['period_start'][:7]})"
    shown = [p for p in series.get(name, []) if p["value"] is not None and not p["suppressed"]]
    if not shown:
        return ""
    label = name.replace("_", " ")
    return f"{label}: {_number(name, shown[-1]['value'])} ({shown[-1]['period_start'][:7]})"


def _interval(indicator: str, low: float, high: float) -> str:
    return f"{_number(indicator, low)} – {_number(indicator, high)}"


def _number(indicator: str, value: float) -> str:
    return f"{100 * value:.1f}%" if indicator in SHARES else f"{value:.3g}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _p(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"

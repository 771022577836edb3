"""The feed-health page as one HTML string: inline CSS and SVG charts, nothing fetched.

Every chart has its numbers beside it in a table (`data-table="..."`), which is what
people copy from and what the tests compare with DuckDB.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from newsetl.flows import health_charts as charts
from newsetl.flows.health import MAX_PUBLISHER_ROWS, RUNS_LISTED, FeedHealth, alert_sentences, escape
from newsetl.transforms.feed_health import NO_PUBLISHER
from newsetl.transforms.quality import QUALITY_FLAGS

SECTIONS = [("publishers", "Publishers"), ("rejects", "Rejects"), ("duplicates", "Duplicates"),
            ("languages", "Languages"), ("words", "Word counts"), ("quality", "Quality flags"), ("runs", "Runs")]

NO_ARTICLES = "<p class='empty'>No articles on these days.</p>"

CSS = """
:root { --ink:#1a1a1a; --muted:#5f6368; --line:#e3e3e3; --alert:#C62828; --ok:#2e7d32; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color:var(--ink); background:#f6f7f9; }
main { max-width:1400px; margin:0 auto; padding:20px 28px 60px; }
h1 { font-size:26px; margin:8px 0 2px; }
h2 { font-size:21px; margin:0 0 6px; }
h3 { font-size:16px; margin:18px 0 6px; }
.sub { color:var(--muted); margin:0 0 14px; }
nav { position:sticky; top:0; z-index:2; background:#f6f7f9; padding:8px 0; border-bottom:1px solid var(--line); margin-bottom:16px; }
nav a { margin-right:16px; color:#0b57d0; text-decoration:none; font-weight:600; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 22px; margin:0 0 20px; }
.how { color:var(--muted); margin:0 0 10px; max-width:1100px; }
.rule { background:#fff8e1; border-left:4px solid #f9a825; padding:6px 10px; margin:0 0 10px; max-width:1100px; }
.tiles { display:flex; flex-wrap:wrap; gap:12px; margin:0 0 16px; }
.tile { background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 16px; min-width:150px; }
.tile b { display:block; font-size:24px; }
.tile span { color:var(--muted); font-size:13px; }
.tile.bad b { color:var(--alert); }
.alerts { border-left:6px solid var(--alert); }
.alerts.calm { border-left-color:var(--ok); }
.alerts li { margin:3px 0; }
.chart svg { width:100%; height:auto; display:block; }
details { margin-top:10px; }
summary { cursor:pointer; color:#0b57d0; font-weight:600; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; font-size:13px; margin:8px 0; }
th, td { border-bottom:1px solid var(--line); padding:3px 8px; text-align:right; white-space:nowrap; }
th:first-child, td:first-child { text-align:left; }
td.text { text-align:left; white-space:normal; min-width:260px; }
th.l, td.l { text-align:left; }
th { background:#fafafa; position:sticky; top:0; }
tr.failed td, tr.flagged td, td.flagged { color:var(--alert); font-weight:700; }
.empty { color:var(--muted); font-style:italic; }
"""


def render_page(health: FeedHealth, *, warehouse: Path, generated_at: datetime) -> str:
    days = health.days
    title = f"newsetl feed health, {_span(days)}"
    body = [f"<h1>{escape(title)}</h1>",
            f"<p class='sub'>{len(days)} day{'s' if len(days) > 1 else ''} with data · warehouse {escape(warehouse)} · "
            f"generated {generated_at:%Y-%m-%d %H:%M} UTC</p>",
            _tiles(health), _alerts(health),
            "<nav>" + "".join(f"<a href='#{key}'>{name}</a>" for key, name in SECTIONS) + "</nav>",
            _publishers(health), _rejects(health), _duplicates(health), _languages(health), _words(health),
            _quality(health), _runs(health)]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main id='summary'>{''.join(body)}</main></body></html>\n")


# ---- top of the page -------------------------------------------------------------

def _tiles(health: FeedHealth) -> str:
    articles = int(health.duplicates["articles"].sum())
    rejects = int(health.reasons.to_numpy().sum())
    exact = int(health.duplicates["exact_duplicates"].sum())
    failed = int((health.runs["status"] != "success").sum()) if len(health.runs) else 0
    publishers = int((health.publishers.loc[health.days].drop(columns=[NO_PUBLISHER], errors="ignore").sum() > 0).sum())
    tiles = [(f"{articles:,}", "articles", False),
             (f"{rejects:,}", f"rejects ({_pct(rejects, articles + rejects)} of files)", False),
             (f"{exact:,}", f"exact duplicates ({_pct(exact, articles)})", False),
             (f"{publishers:,}", "publishers", False),
             (f"{len(health.languages.columns):,}", "languages", False),
             (f"{len(health.runs):,}", "runs", False),
             (f"{failed:,}", "failed runs", failed > 0)]
    return "<div class='tiles'>" + "".join(
        f"<div class='tile{' bad' if bad else ''}'><b>{value}</b><span>{escape(label)}</span></div>"
        for value, label, bad in tiles) + "</div>"


def _alerts(health: FeedHealth) -> str:
    lines = alert_sentences(health)
    if not lines:
        return ("<section class='alerts calm'><h2>Needs a look</h2><p>Nothing: no day breaks the rules "
                "written in the sections below.</p></section>")
    shown, rest = lines[:40], len(lines) - 40
    items = "".join(f"<li>{escape(line)}</li>" for line in shown)
    more = f"<p class='how'>… and {rest} more (see the sections below).</p>" if rest > 0 else ""
    return f"<section class='alerts'><h2>Needs a look ({len(lines)})</h2><ul>{items}</ul>{more}</section>"


# ---- sections ----------------------------------------------------------------------

def _publishers(health: FeedHealth) -> str:
    rules, days = health.rules, health.days
    counts = health.publishers.loc[days]
    counts = counts.loc[:, counts.sum() > 0]
    flagged = {(row.ingest_date, row.publisher) for row in health.drops.itertuples()}
    flagged_names = list(dict.fromkeys(p for _, p in flagged))
    biggest = [p for p in counts.sum().sort_values(ascending=False).index if p not in flagged_names]
    shown = flagged_names + biggest[: max(MAX_PUBLISHER_ROWS - len(flagged_names), 0)]
    # Biggest first, as counted; the rows that are not one feed go last.
    shown = [p for p in counts.columns if p in shown and p != NO_PUBLISHER] + [p for p in shown if p == NO_PUBLISHER]
    rest = [p for p in counts.columns if p not in shown]
    drawn = counts[shown].copy()
    if rest:
        drawn[f"{len(rest)} other publishers"] = counts[rest].sum(axis=1)
    rule = (f"Red: a publisher sent nothing on a day when it usually sends {rules.min_usual_for_none:g} or more, "
            f"or less than {rules.drop_share:.0%} of its usual when that is {rules.min_usual_for_drop:g} or more. "
            f"Usual = the median of its daily counts over the {rules.window} days with data before that day "
            f"(at least {rules.min_history} such days needed). '{NO_PUBLISHER}' is never flagged.")
    chart = charts.publisher_heatmap(drawn, flagged) if len(drawn.columns) else NO_ARTICLES
    return _section("publishers", "Articles per day and publisher",
                    "Each cell is a day's article count. A cell turns paler the further it falls below that "
                    "publisher's median over these days, so a thin day stands out whatever the publisher's size.",
                    rule, chart,
                    _details("Numbers: articles per day and publisher (all publishers)",
                             _day_table("publishers", counts.T, days, first="publisher", total=True,
                                        flagged=flagged)))


def _rejects(health: FeedHealth) -> str:
    rules = health.rules
    reasons = health.reasons
    marked = list(health.reject_spikes["ingest_date"])
    chart = (charts.stacked_bars(charts.top_series(reasons), ylabel="rejected files", marked=marked,
                                 mark_label="rejects jumped") if reasons.to_numpy().sum() else "")
    articles = health.duplicates["articles"]
    totals = reasons.sum(axis=1)
    frame = pd.DataFrame({"files": (articles + totals).astype("int64"), "rejects": totals.astype("int64")})
    frame["share"] = [_pct(r, f) for r, f in zip(frame["rejects"], frame["files"])]
    frame = frame.join(reasons)
    rule = _spike_rule("rejects of the day's files (articles + rejects)", rules)
    return _section("rejects", "Rejected files per day, by reason",
                    "Files that could not become an article, stacked by reason code (see the README's list).",
                    rule, chart or "<p class='empty'>No rejects on these days.</p>",
                    _details("Numbers: rejects per day and reason", _frame_table("rejects", frame, marked)))


def _duplicates(health: FeedHealth) -> str:
    rules, dup = health.rules, health.duplicates
    near = health.near_spikes is not None
    shares = pd.DataFrame({"exact duplicates": dup["exact_duplicates_share"]})
    if near:
        shares["near duplicates (exact included)"] = dup["near_duplicates_share"]
    marked = list(health.duplicate_spikes["ingest_date"]) + (list(health.near_spikes["ingest_date"]) if near else [])
    frame = pd.DataFrame({"articles": dup["articles"].astype("int64"),
                          "exact duplicates": dup["exact_duplicates"].astype("int64"),
                          "exact share": [_pct(a, b) for a, b in zip(dup["exact_duplicates"], dup["articles"])]})
    if near:
        frame["near duplicates"] = dup["near_duplicates"].astype("int64")
        frame["near share"] = [_pct(a, b) for a, b in zip(dup["near_duplicates"], dup["articles"])]
    how = ("Share of each day's articles that repeat an earlier article: exactly (same normalised title and body, "
           "column duplicate_of)" + (", or nearly (syndicated or lightly edited copies, column near_duplicate_of)."
                                     if near else ". Near duplicates appear here once the warehouse has the column "
                                     "near_duplicate_of."))
    clusters = _clusters_table("clusters", "Biggest exact-duplicate clusters", health.clusters)
    if near:
        clusters += _clusters_table("near-clusters", "Biggest near-duplicate clusters", health.near_clusters)
    chart = charts.share_lines(shares, marked=marked, mark_label="jumped") if dup["articles"].sum() else NO_ARTICLES
    return _section("duplicates", "Duplicates per day", how, _spike_rule("duplicates of the day's articles", rules),
                    chart,
                    _details("Numbers: duplicates per day", _frame_table("duplicates", frame, marked)) + clusters)


def _languages(health: FeedHealth) -> str:
    rules, languages = health.rules, health.languages
    marked = list(health.language_news["ingest_date"])
    chart = charts.stacked_bars(charts.top_series(languages), ylabel="% of the day's articles", marked=marked,
                                mark_label="new language", percent=True) if len(languages.columns) else ""
    rule = (f"Marked: a language with at least {rules.new_language_min} articles on a day and none in the "
            f"{rules.window} days with data before it.")
    return _section("languages", "Languages per day",
                    "Share of each day's articles by detected language (ISO 639-1); '(unidentified)' is "
                    "text the detector was not confident about.", rule,
                    chart or NO_ARTICLES,
                    _details("Numbers: articles per day and language",
                             _day_table("languages", languages.T, health.days, first="language", total=True)))


def _words(health: FeedHealth) -> str:
    histogram, quantiles = health.histogram, health.quantiles
    chart = charts.word_count_charts(histogram, quantiles) if histogram["articles"].sum() else NO_ARTICLES
    bins = pd.DataFrame({"articles": histogram["articles"].to_numpy()}, index=pd.Index(histogram["label"], name="words"))
    per_day = quantiles.copy().round(1)
    return _section("words", "Word counts",
                    "Words in each article's body. A feed that starts sending teasers or cut-off bodies shows as "
                    "a falling median or a growing first bar (under 50 words is the short_body flag).", "",
                    chart,
                    _details("Numbers: articles per word-count bin, and percentiles per day",
                             _frame_table("word-histogram", bins, [])
                             + _frame_table("word-quantiles", per_day, [])))


def _quality(health: FeedHealth) -> str:
    flags = health.flags
    articles = health.duplicates["articles"]
    shares = flags.div(articles.where(articles > 0), axis=0).fillna(0)
    chart = charts.flag_heatmap(shares) if len(flags.columns) else ""
    meanings = "".join(f"<tr><td>{escape(code)}</td><td class='l'>{escape(QUALITY_FLAGS.get(code, ''))}</td></tr>"
                       for code in flags.columns)
    return _section("quality", "Quality flags per day",
                    "Percent of each day's articles carrying each flag (signals, never filters: flagged articles "
                    "are in the warehouse).", "",
                    chart or "<p class='empty'>No quality flags on these days.</p>",
                    f"<table><tr><th>flag</th><th class='l'>meaning</th></tr>{meanings}</table>"
                    + _details("Numbers: flagged articles per day",
                               _day_table("quality-flags", flags.T, health.days, first="flag", total=True)))


def _runs(health: FeedHealth) -> str:
    runs = health.runs
    if runs.empty:
        return _section("runs", "Runs", "No runs recorded.", "", "", "")
    listed = runs[(runs.index >= len(runs) - RUNS_LISTED) | (runs["status"] != "success")]
    rows = []
    for run in listed.itertuples():
        css = " class='failed'" if run.status != "success" else ""
        error = run.error if isinstance(run.error, str) else ""
        rows.append(f"<tr{css}><td>{run.started_at:%Y-%m-%d %H:%M:%S}</td><td class='l'>{escape(run.flow)}</td>"
                    f"<td class='l'>{escape(run.status)}</td><td>{run.seconds:,.1f}</td><td>{run.files_processed:,}</td>"
                    f"<td>{run.files_per_second:,.0f}</td><td>{run.articles:,}</td><td>{run.rejects:,}</td>"
                    f"<td class='text'>{escape(error)}</td></tr>")
    table = ("<div class='scroll'><table data-table='runs'><tr><th>started (UTC)</th><th class='l'>flow</th>"
             "<th class='l'>status</th><th>seconds</th><th>files processed</th><th>files/s</th><th>articles</th>"
             f"<th>rejects</th><th class='l'>error</th></tr>{''.join(rows)}</table></div>")
    more = (f"<p class='how'>The latest {RUNS_LISTED} runs and every failed one are listed; "
            f"the chart shows all {len(runs)}.</p>" if len(listed) < len(runs) else "")
    return _section("runs", "Runs", health.runs_note + " Duration and throughput (files processed per second) per "
                    "run, oldest left; failed runs in red.", "", charts.runs_chart(runs), more + table)


# ---- HTML helpers --------------------------------------------------------------------

def _section(key: str, heading: str, how: str, rule: str, chart: str, tail: str) -> str:
    rule_html = f"<p class='rule'>{escape(rule)}</p>" if rule else ""
    return (f"<section id='{key}'><h2>{escape(heading)}</h2><p class='how'>{escape(how)}</p>{rule_html}"
            f"<div class='chart'>{chart}</div>{tail}</section>")


def _details(summary: str, content: str) -> str:
    return f"<details><summary>{escape(summary)}</summary><div class='scroll'>{content}</div></details>"


def _day_table(name: str, frame: pd.DataFrame, days: list[date], *, first: str, total: bool,
               flagged: set[tuple[date, str]] = frozenset()) -> str:
    """Rows = series (publishers, languages, flags), columns = days (ISO dates), counts."""
    head = f"<tr><th>{escape(first)}</th>" + "".join(f"<th>{d.isoformat()}</th>" for d in days)
    head += "<th>total</th></tr>" if total else "</tr>"
    rows = []
    for series, counts in frame.iterrows():
        cells = "".join(f"<td{' class=flagged' if (d, series) in flagged else ''}>{int(counts[d]):,}</td>" for d in days)
        rows.append(f"<tr><td>{escape(series)}</td>{cells}" + (f"<td>{int(counts.sum()):,}</td>" if total else "")
                    + "</tr>")
    return f"<table data-table='{name}'>{head}{''.join(rows)}</table>"


def _frame_table(name: str, frame: pd.DataFrame, marked: list[date]) -> str:
    """Rows = the frame's index (days or bins), one column per frame column."""
    first = "day" if frame.index.name in (None, "ingest_date") else frame.index.name
    head = f"<tr><th>{escape(first)}</th>" + "".join(f"<th>{escape(c)}</th>" for c in frame.columns) + "</tr>"
    rows = []
    for key, row in frame.iterrows():
        css = " class='flagged'" if key in marked else ""  # a day a rule flagged: red, as in the chart
        label = key.isoformat() if isinstance(key, date) else key
        rows.append(f"<tr{css}><td>{escape(label)}</td>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>")
    return f"<table data-table='{name}'>{head}{''.join(rows)}</table>"


def _clusters_table(name: str, heading: str, clusters: pd.DataFrame) -> str:
    if clusters is None or clusters.empty:
        return f"<h3>{escape(heading)}</h3><p class='empty'>None on these days.</p>"
    rows = "".join(
        f"<tr><td class='text' dir='auto'>{escape(c.title if isinstance(c.title, str) else '(not found)')}</td>"
        f"<td>{int(c.copies) + 1:,}</td><td class='l'>{escape(c.publisher if isinstance(c.publisher, str) else NO_PUBLISHER)}</td>"
        f"<td>{escape(c.ingest_date if isinstance(c.ingest_date, date) else '')}</td><td class='l'>{escape(c.first_id)}</td></tr>"
        for c in clusters.itertuples())
    return (f"<h3>{escape(heading)}</h3><p class='how'>Size = the first article plus its copies on these days; "
            "title and publisher are the first article's.</p>"
            f"<div class='scroll'><table data-table='{name}'><tr><th>title</th><th>size</th><th class='l'>first publisher</th>"
            f"<th>first day</th><th class='l'>first article_id</th></tr>{rows}</table></div>")


def _cell(value) -> str:
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{float(value):,.1f}"
    return escape(value)


def _spike_rule(what: str, rules) -> str:
    return (f"Marked in red: a day whose share of {what} is at least {rules.spike_ratio:g}× its median over the "
            f"{rules.window} days with data before it and at least {rules.spike_points:.0%} above it, with at "
            f"least {rules.spike_min} such files ({rules.min_history}+ earlier days needed).")


def _pct(part, whole) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def _span(days: list[date]) -> str:
    first, last = days[0], days[-1]
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"

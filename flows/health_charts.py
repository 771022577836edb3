"""The feed-health page's charts: matplotlib figures rendered to inline SVG strings.

Matplotlib draws offline with no JavaScript; `svg.fonttype = none` keeps text as text (a
fraction of the size of glyph outlines, and selectable), and the object API (`Figure`,
no pyplot) keeps no global state between reports built in one process.
"""
from __future__ import annotations

import io
import re
from datetime import date

import matplotlib
import matplotlib.colors
import matplotlib.lines
import matplotlib.patches
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

# Wide enough for 30 day labels side by side; the page scales the SVG to its column.
WIDTH_IN = 13.0
# Okabe-Ito and Tableau colours: told apart by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#7f7f7f",
           "#8c564b", "#17becf", "#bcbd22", "#9467bd"]
ALERT = "#C62828"
OTHER = "#bdbdbd"
# A chart shows this many series (publishers, reasons, languages); the rest are summed as "other".
MAX_SERIES = 9

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "newsetl-report",  # the same ids on every build: a page diff shows data changes only
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
}


def day_labels(days: list[date]) -> list[str]:
    return [f"{d:%b %d}" for d in days]


def to_svg(figure: Figure) -> str:
    """The figure as an `<svg>` element for inlining in HTML: no XML prolog, DOCTYPE or metadata."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})  # constrained layout: no second "tight" pass
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # Sized by the page's CSS, not by fixed points.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 role="img"', svg, count=1)


def _figure(height_in: float) -> Figure:
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def top_series(frame: pd.DataFrame, *, keep: int = MAX_SERIES, other: str = "other") -> pd.DataFrame:
    """The `keep` biggest columns of a day x series frame, the rest summed into `other`."""
    if frame.shape[1] <= keep:
        return frame
    order = frame.sum().sort_values(ascending=False).index
    kept = frame[list(order[: keep - 1])].copy()
    kept[other] = frame[list(order[keep - 1:])].sum(axis=1)
    return kept


def publisher_heatmap(counts: pd.DataFrame, flagged: set[tuple[date, str]]) -> str:
    """Publishers (rows) x days (columns): each cell the day's count, paler the further it falls below the
    publisher's median over the days shown (whatever the publisher's size); flagged cells red."""
    publishers, days = list(counts.columns), list(counts.index)
    with matplotlib.rc_context(_RC):
        figure = _figure(max(2.5, 0.42 * len(publishers) + 1.8))
        axes = figure.add_subplot()
        median = counts.median().where(lambda m: m > 0)
        # Days at or above the median look alike; only days below it fade: the question is "who sent less?".
        relative = (counts / median).clip(upper=1.0).T.to_numpy(dtype="float64")
        level = np.where(np.isnan(relative), 1.0, 0.02 + 0.98 * relative)
        for row, publisher in enumerate(publishers):
            for col, day in enumerate(days):
                if (day, publisher) in flagged:
                    level[row, col] = 0.0
        # 0 = flagged (red); above it a light-to-mid blue ramp, so ordinary days look calm and alike.
        ramp = ListedColormap([ALERT] + [matplotlib.colors.to_hex(c) for c in
                                         matplotlib.colormaps["Blues"](np.linspace(0.03, 0.45, 64))])
        axes.imshow(level, aspect="auto", cmap=ramp, vmin=0.0, vmax=1.0, interpolation="nearest")
        for col, day in enumerate(days):
            for row, publisher in enumerate(publishers):
                bad = (day, publisher) in flagged
                axes.text(col, row, _compact(counts.at[day, publisher], narrow=len(days) > 16), ha="center",
                          va="center", fontsize=9,
                          color="white" if bad else "#1a1a1a", fontweight="bold" if bad else "normal")
        # Day labels above and below: the table is tall, and its top rows are the biggest publishers.
        axes.set_xticks(range(len(days)), day_labels(days), rotation=90 if len(days) > 16 else 0, fontsize=9)
        axes.tick_params(length=0, labeltop=True)
        axes.set_yticks(range(len(publishers)), publishers)
        axes.set_xticks(np.arange(-0.5, len(days)), minor=True)
        axes.set_yticks(np.arange(-0.5, len(publishers)), minor=True)
        axes.tick_params(which="minor", length=0)
        axes.grid(which="minor", color="white", linewidth=1.5)
        for side in axes.spines.values():
            side.set_visible(False)
    return to_svg(figure)


def _compact(count: int, *, narrow: bool) -> str:
    """A cell's count: 2,321 fits a cell of a 10-day chart; a 30-day cell holds "2.3k" (the table has it exact)."""
    if not narrow or count < 1000:
        return f"{count:,}"
    return f"{count / 1000:.1f}k" if count < 10_000 else f"{count / 1000:.0f}k"


def stacked_bars(frame: pd.DataFrame, *, ylabel: str, marked: list[date] = (), mark_label: str = "",
                 percent: bool = False) -> str:
    """One bar per day stacked by series (columns of `frame`); marked days get a red triangle above the bar."""
    days = list(frame.index)
    data = frame.div(frame.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0) * 100 if percent else frame
    with matplotlib.rc_context(_RC):
        figure = _figure(4.2)
        axes = figure.add_subplot()
        bottom = np.zeros(len(days))
        x = np.arange(len(days))
        for i, name in enumerate(data.columns):
            colour = OTHER if name in ("other", "(unidentified)") else PALETTE[i % len(PALETTE)]
            axes.bar(x, data[name].to_numpy(), bottom=bottom, color=colour, label=str(name), width=0.8)
            bottom += data[name].to_numpy()
        top = max(bottom.max() if len(bottom) else 0, 1)
        for day in marked:
            if day in days:
                i = days.index(day)
                axes.annotate("▲", (i, bottom[i]), xytext=(0, 3), textcoords="offset points", ha="center",
                              va="bottom", color=ALERT, fontsize=14)
        axes.set_ylim(0, (100 if percent else top) * 1.12)
        axes.set_xticks(x, day_labels(days), rotation=90 if len(days) > 16 else 0, fontsize=9)
        axes.set_xlim(-0.6, len(days) - 0.4)
        axes.set_ylabel(ylabel)
        axes.yaxis.grid(True, color="#e0e0e0")
        axes.set_axisbelow(True)
        handles, labels = axes.get_legend_handles_labels()
        if marked and mark_label:
            handles.append(matplotlib.lines.Line2D([], [], marker="^", color=ALERT, linestyle="", markersize=9))
            labels.append(mark_label)
        axes.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=10)
    return to_svg(figure)


def share_lines(shares: pd.DataFrame, *, marked: list[date] = (), mark_label: str = "") -> str:
    """Shares per day (0-1) as lines in percent; marked days circled in red."""
    days = list(shares.index)
    x = np.arange(len(days))
    with matplotlib.rc_context(_RC):
        figure = _figure(3.6)
        axes = figure.add_subplot()
        for i, name in enumerate(shares.columns):
            axes.plot(x, shares[name].to_numpy() * 100, marker="o", markersize=4, color=PALETTE[i], label=name)
        for day in marked:
            if day in days:
                i = days.index(day)
                axes.plot([i], [shares.iloc[i, 0] * 100], marker="o", markersize=14, markerfacecolor="none",
                          markeredgecolor=ALERT, markeredgewidth=2)
        top = float(np.nanmax(shares.to_numpy())) * 100 if len(shares) else 1.0
        axes.set_ylim(0, max(top * 1.25, 1.0))
        axes.set_xticks(x, day_labels(days), rotation=90 if len(days) > 16 else 0, fontsize=9)
        axes.set_ylabel("% of the day's articles")
        axes.yaxis.grid(True, color="#e0e0e0")
        handles, labels = axes.get_legend_handles_labels()
        if marked and mark_label:
            handles.append(matplotlib.lines.Line2D([], [], marker="o", markersize=10, markerfacecolor="none",
                                                   markeredgecolor=ALERT, markeredgewidth=2, linestyle=""))
            labels.append(mark_label)
        axes.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=10)
    return to_svg(figure)


def word_count_charts(histogram: pd.DataFrame, quantiles: pd.DataFrame) -> str:
    """Left: articles per word-count bin over the range. Right: median and 10th-90th percentile band per day."""
    with matplotlib.rc_context(_RC):
        figure = _figure(3.8)
        left, right = figure.subplots(1, 2, width_ratios=[1, 1.3])
        x = np.arange(len(histogram))
        left.bar(x, histogram["articles"].to_numpy(), color=PALETTE[0], width=0.85)
        left.set_xticks(x, histogram["label"], rotation=45, ha="right", fontsize=9)
        left.set_xlabel("words in body")
        left.set_ylabel("articles")
        left.set_title("All days of the range")
        left.yaxis.grid(True, color="#e0e0e0")
        left.set_axisbelow(True)
        days = list(quantiles.index)
        xd = np.arange(len(days))
        right.fill_between(xd, quantiles["p10"], quantiles["p90"], color=PALETTE[4], alpha=0.35,
                           label="10th–90th percentile")
        right.plot(xd, quantiles["median"], color=PALETTE[0], marker="o", markersize=4, label="median")
        right.set_xticks(xd, day_labels(days), rotation=90 if len(days) > 16 else 0, fontsize=9)
        p90 = quantiles["p90"].dropna()  # NaN on a day with rejects only
        right.set_ylim(0, max(float(p90.max()) * 1.15 if len(p90) else 1.0, 1.0))
        right.set_ylabel("words in body")
        right.set_title("Per day")
        right.yaxis.grid(True, color="#e0e0e0")
        right.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=10)
    return to_svg(figure)


def flag_heatmap(shares: pd.DataFrame) -> str:
    """Quality flags (rows) x days (columns), each cell the share of the day's articles in percent."""
    flags, days = list(shares.columns), list(shares.index)
    with matplotlib.rc_context(_RC):
        figure = _figure(max(2.2, 0.42 * len(flags) + 1.4))
        axes = figure.add_subplot()
        values = shares.T.to_numpy() * 100
        # Square-root scale: a flag at 0.3 % is still visible beside one at 6 %.
        axes.imshow(values, aspect="auto", cmap="Oranges", interpolation="nearest",
                    norm=matplotlib.colors.PowerNorm(0.5, vmin=0, vmax=max(float(np.nanmax(values)) if values.size else 1, 1)))
        peak = float(np.nanmax(values)) if values.size else 0
        for row in range(len(flags)):
            for col in range(len(days)):
                v = values[row, col]
                axes.text(col, row, _percent(v), ha="center", va="center", fontsize=9,
                          color="white" if peak and v > 0.6 * peak else "#1a1a1a")
        axes.set_xticks(range(len(days)), day_labels(days), rotation=90 if len(days) > 16 else 0, fontsize=9)
        axes.set_yticks(range(len(flags)), flags)
        axes.tick_params(length=0)
        for side in axes.spines.values():
            side.set_visible(False)
    return to_svg(figure)


def _percent(value: float) -> str:
    """0 only when no article has the flag: one article in 2,000 is "<0.1", not "0.0"."""
    if value == 0:
        return "0"
    return "<0.1" if value < 0.1 else f"{value:.1f}" if value < 10 else f"{value:.0f}"


def runs_chart(runs: pd.DataFrame) -> str:
    """One bar per run (oldest left): duration on top, files per second below; failed runs in red."""
    with matplotlib.rc_context(_RC):
        figure = _figure(4.4)
        top, bottom = figure.subplots(2, 1, sharex=True)
        x = np.arange(len(runs))
        colours = [ALERT if status != "success" else PALETTE[0] for status in runs["status"]]
        top.bar(x, runs["seconds"].to_numpy(), color=colours)
        top.set_ylabel("seconds")
        bottom.bar(x, runs["files_per_second"].to_numpy(), color=colours)
        bottom.set_ylabel("files / s")
        for axes in (top, bottom):
            axes.yaxis.grid(True, color="#e0e0e0")
            axes.set_axisbelow(True)
        step = max(1, len(runs) // 30)
        labels = [f"{t:%b %d %H:%M}" for t in runs["started_at"]]
        bottom.set_xticks(x[::step], labels[::step], rotation=90, fontsize=9)
        bottom.set_xlim(-0.6, max(len(runs), 12) - 0.4)  # a few runs stay bars, not slabs
        failed = matplotlib.patches.Patch(color=ALERT, label="failed")
        ok = matplotlib.patches.Patch(color=PALETTE[0], label="success")
        top.legend(handles=[ok, failed], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=10)
    return to_svg(figure)

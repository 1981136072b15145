"""Meetings and commitment deadlines on one time axis: ``timeline.html`` (plotly) and ``timeline.png``.

The rows come from the DuckDB ``timeline`` view, so the picture and the SQL an analyst runs
agree. Deadlines get one lane per actor (or per actor type when there are too many actors to
read); meetings get one lane per meeting type. The HTML embeds plotly.js, so it opens offline.

Labels come from documents and review edits, so they are escaped before plotly (which renders
``<a href>`` and ``<b>`` in text) and ``$`` is escaped before matplotlib (which reads ``$...$`` as
math). Dates the tables accept but no axis can show well (9999-12-31, 0001-01-01, an end before
its start) are left out or clipped, and the picture says so in a note: it never fails the run.
"""

from __future__ import annotations

import datetime as dt
from html import escape as _html_escape
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.tables import atomic_write_text

MAX_ACTOR_LANES = 25
SHORT_DAYS = 14  # meetings shorter than this are drawn as dots: a one-day bar is invisible on a multi-year axis
MEETING_LANE = "Meetings"  # one lane per meeting type: "Meetings: conference", ...
COLORS = {
    "held": "#4c78a8",
    "planned": "#72b7b2",
    "ongoing": "#9d755d",
    "commitment": "#e45756",
    "decision": "#b279a2",
    "request": "#f58518",
    "action_point": "#eeca3b",
    "recommendation": "#54a24b",
    "call": "#ff9da6",
}
OTHER_COLOR = "#888888"


# The window drawn: UN documents from 1900 on, deadlines up to two centuries ahead. Rows outside it
# stay in the tables and DuckDB; one of them would otherwise squeeze every other row into a line.
DRAWN_FROM, DRAWN_TO = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def timeline_frame(db_path: Path, lanes: str = "auto") -> pd.DataFrame:
    """One row per bar or marker, with its lane; ``lanes`` is "actor", "actor_type" or "auto".

    ``frame.attrs["notes"]`` says which rows were left out or clipped to the drawn window.
    """
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        # Dates outside the window become NULL in SQL, before pandas (whose ns range ends in 2262) sees them.
        frame = con.execute(
            """SELECT * REPLACE (
                   CASE WHEN "start" BETWEEN $lo AND $hi THEN "start" END AS "start",
                   CASE WHEN "end" BETWEEN $lo AND $hi THEN "end" WHEN "end" > $hi THEN $hi END AS "end"),
               "start"::VARCHAR AS start_text, "end"::VARCHAR AS end_text
            FROM timeline ORDER BY start_text, item, id, actor_id""",
            {"lo": DRAWN_FROM, "hi": DRAWN_TO},
        ).df()
    finally:
        con.close()
    frame, notes = _fit_window(frame)
    if frame.empty:
        frame = frame.assign(lane=pd.Series(dtype=str), color_key=pd.Series(dtype=str))
        frame.attrs["notes"] = notes
        return frame
    deadlines = frame["item"] == "deadline"
    if lanes == "auto":
        lanes = "actor" if frame.loc[deadlines, "actor_name"].nunique() <= MAX_ACTOR_LANES else "actor_type"
    actor_type = frame["actor_type"].fillna("unresolved")
    if lanes == "actor":
        label = frame["actor_name"].fillna("unresolved actor") + " (" + actor_type + ")"
    else:
        label = "Deadlines: " + actor_type
    frame["lane"] = label.where(deadlines, MEETING_LANE + ": " + frame["category"].fillna("other"))
    frame["color_key"] = frame["category"].where(deadlines, frame["status"]).fillna("")
    frame = frame.drop_duplicates(["item", "id", "lane"]).reset_index(drop=True)
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col])
    frame.attrs["notes"] = notes
    return frame


def _fit_window(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Leave out rows that start outside the window, clip ends; one note per kind of change."""
    notes: list[str] = []
    window = f"{DRAWN_FROM.isoformat()} to {DRAWN_TO.isoformat()}"
    outside = frame["start"].isna()
    if outside.any():
        gone = frame[outside].drop_duplicates(["item", "id"])
        shown = ", ".join(f"{r.item} {r.id} on {r.start_text}" for r in gone.head(3).itertuples())
        more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
        notes.append(f"{len(gone)} item(s) not drawn, dated outside {window}: {shown}{more}")
    frame = frame[~outside].copy()
    past = frame["end_text"].notna() & (frame["end_text"] > DRAWN_TO.isoformat())
    if past.any():
        notes.append(f"{frame[past].drop_duplicates(['item', 'id']).shape[0]} item(s) end after {DRAWN_TO}: cut there")
    backwards = frame["end"].isna() | (frame["end"] < frame["start"])
    backwards &= frame["end_text"].notna()
    if backwards.any():
        n = frame[backwards].drop_duplicates(["item", "id"]).shape[0]
        notes.append(f"{n} item(s) end before they start: drawn on their start date")
    frame.loc[frame["end"].isna() | (frame["end"] < frame["start"]), "end"] = frame["start"]
    return frame.drop(columns=["start_text", "end_text"]).reset_index(drop=True), notes


def _lane_order(frame: pd.DataFrame) -> list[str]:
    """Meeting lanes on top, then deadline lanes grouped by actor type and sorted by name."""
    meeting_lanes = sorted(frame.loc[frame["item"] == "meeting", "lane"].unique())
    deadline_lanes = frame.loc[frame["item"] == "deadline", ["lane", "actor_type"]].fillna("~")
    ordered = deadline_lanes.drop_duplicates("lane").sort_values(["actor_type", "lane"])["lane"].tolist()
    return meeting_lanes + ordered


def escape(text: str) -> str:
    """Text for a plotly label: ``<``, ``>``, ``&`` as entities plotly decodes when it draws (it has no ``&quot;``)."""
    return _html_escape(text, quote=False)


def _text(value: object) -> str:
    """A frame cell as text ("" for null/NaN)."""
    return value if isinstance(value, str) else ""


def _hover(row: pd.Series) -> str:
    """Hover text for plotly: every value from the data escaped (plotly renders a subset of HTML)."""
    start, end = row["start"].date(), row["end"].date()
    when = start.isoformat() if start == end else f"{start.isoformat()} → {end.isoformat()}"
    if row["item"] == "meeting":
        where = f"<br>{escape(row['location'])}" if isinstance(row["location"], str) else ""
        kind = f"{escape(_text(row['category']))} · {escape(_text(row['status']))}"
        return f"<b>{escape(_text(row['label']))}</b><br>{kind}<br>{when}{where}"
    return (
        f"<b>{escape(_text(row['category']))}</b> due {when}<br>{escape(_text(row['actor_name']))}"
        f"<br>{escape(_text(row['label'])[:160])}"
    )


def _legend_name(item: str, key: str, long: bool = False) -> str:
    """What a marker is, in words: the legend entry of both pictures."""
    if item == "deadline":
        return f"deadline of a {key or 'commitment'}".replace("_", " ")
    shape = f"meeting of {SHORT_DAYS}+ days" if long else f"meeting under {SHORT_DAYS} days"
    return f"{shape}, {key or 'status unknown'}"


def write_timeline_html(frame: pd.DataFrame, path: Path) -> Path:
    """Plotly figure with plotly.js inlined (no CDN), written atomically."""
    import plotly.graph_objects as go

    fig = go.Figure()
    order = _lane_order(frame)
    meetings = frame[frame["item"] == "meeting"]
    short = (meetings["end"] - meetings["start"]).dt.days < SHORT_DAYS
    for status, group in meetings[short].groupby("color_key", sort=True):
        fig.add_trace(
            go.Scatter(
                name=escape(_legend_name("meeting", status)),
                y=group["lane"].map(escape),
                x=group["start"],
                mode="markers",
                marker={"symbol": "circle", "size": 11, "color": COLORS.get(status, OTHER_COLOR)},
                hovertext=[_hover(r) for _, r in group.iterrows()],
                hoverinfo="text",
            )
        )
    for status, group in meetings[~short].groupby("color_key", sort=True):
        span_ms = ((group["end"] - group["start"]).dt.days + 1) * 86_400_000
        fig.add_trace(
            go.Bar(
                name=escape(_legend_name("meeting", status, long=True)),
                y=group["lane"].map(escape),
                x=span_ms,
                base=group["start"].dt.strftime("%Y-%m-%d"),
                orientation="h",
                marker_color=COLORS.get(status, OTHER_COLOR),
                opacity=0.75,
                hovertext=[_hover(r) for _, r in group.iterrows()],
                hoverinfo="text",
            )
        )
    deadlines = frame[frame["item"] == "deadline"]
    for kind, group in deadlines.groupby("color_key", sort=True):
        fig.add_trace(
            go.Scatter(
                name=escape(_legend_name("deadline", kind)),
                y=group["lane"].map(escape),
                x=group["start"],
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": COLORS.get(kind, OTHER_COLOR)},
                hovertext=[_hover(r) for _, r in group.iterrows()],
                hoverinfo="text",
            )
        )
    notes = frame.attrs.get("notes", [])
    fig.update_layout(
        title="Meetings and commitment deadlines",
        barmode="overlay",
        xaxis={"type": "date", "title": "date"},
        yaxis={"categoryorder": "array", "categoryarray": [escape(x) for x in reversed(order)], "automargin": True},
        height=max(320, 120 + 40 * len(order)) + 20 * len(notes),
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
    )
    for i, note in enumerate(notes):
        fig.add_annotation(
            text=escape(note),
            xref="paper",
            yref="paper",
            x=0,
            y=1.0,
            yshift=20 + 18 * i,
            showarrow=False,
            xanchor="left",
            font={"size": 11, "color": "#a33"},
        )
    html = fig.to_html(include_plotlyjs=True, full_html=True)
    atomic_write_text(path, html)
    return path


def _mpl(text: str) -> str:
    """Text matplotlib shows as written (``$`` would start math mode and can fail the drawing)."""
    return text.replace("$", r"\$")


def timeline_figure(frame: pd.DataFrame):
    """The static picture as a matplotlib Figure: lanes, a legend naming every marker kind, notes.

    Each marker is also named beside it (the meeting's name, the commitment's action) where there
    is room, so the PNG pasted into a report reads without hovering.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    order = _lane_order(frame)
    notes = list(frame.attrs.get("notes", []))
    fig, ax = plt.subplots(figsize=(13, max(3.0, 1.2 + 0.6 * len(order) + 0.2 * len(notes))), dpi=100)
    ypos = {lane: len(order) - 1 - i for i, lane in enumerate(order)}
    handles: dict[str, object] = {}
    names: list[tuple[float, float, str]] = []  # (x, y, text) of every marker, placed once the axis is known

    for _, row in frame[frame["item"] == "meeting"].iterrows():
        color = COLORS.get(row["color_key"], OTHER_COLOR)
        start = mdates.date2num(row["start"])
        days = (row["end"] - row["start"]).days + 1
        if days <= SHORT_DAYS:
            ax.plot(start, ypos[row["lane"]], marker="o", color=color, markersize=8)
            handles.setdefault(
                _legend_name("meeting", row["color_key"]),
                Line2D([], [], marker="o", color=color, linestyle="", markersize=8),
            )
        else:
            ax.broken_barh([(start, days)], (ypos[row["lane"]] - 0.3, 0.6), facecolors=color, alpha=0.75)
            handles.setdefault(_legend_name("meeting", row["color_key"], long=True), Patch(color=color, alpha=0.75))
        names.append((start, ypos[row["lane"]], _text(row["label"]) or _text(row["category"])))
    for _, row in frame[frame["item"] == "deadline"].iterrows():
        color = COLORS.get(row["color_key"], OTHER_COLOR)
        x = mdates.date2num(row["start"])
        ax.plot(x, ypos[row["lane"]], marker="D", color=color, markersize=8)
        handles.setdefault(
            _legend_name("deadline", row["color_key"]),
            Line2D([], [], marker="D", color=color, linestyle="", markersize=8),
        )
        names.append((x, ypos[row["lane"]], _text(row["label"]) or _text(row["category"])))
    ax.set_yticks(list(ypos.values()), [_mpl(lane) for lane in ypos])
    ax.set_ylim(-0.7, max(len(order), 1) - 0.3)
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Meetings and commitment deadlines")
    if handles:
        ax.legend(
            handles.values(),
            [_mpl(k) for k in handles],
            title="what each marker is",
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            fontsize=8,
            title_fontsize=8,
        )
    if frame.empty:
        empty = "no dated meetings or deadlines" + (" in the window drawn (see the note)" if notes else "")
        ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
        ax.set_xlim(dt.date.today() - dt.timedelta(days=365), dt.date.today())
    else:
        low, high = frame["start"].min(), frame["end"].max()
        pad = max((high - low) * 0.04, pd.Timedelta(days=30))
        ax.set_xlim(mdates.date2num(low - pad), mdates.date2num(high + pad * 3))
    fig.tight_layout()  # the axes' final width in points, which the names are measured against
    unnamed = _name_markers(ax, fig, names)
    if unnamed:
        notes.append(f"{unnamed} marker(s) too close to others to be named here: see timeline.html or the tables")
    if notes:
        fig.text(0.01, 0.005, _mpl("\n".join(notes)), fontsize=8, color="#aa3333", va="bottom", ha="left")
    bottom = (0.1 + 0.16 * len(notes)) / fig.get_figheight() if notes else 0
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


LABEL_CHARS = 40
LABEL_PT = 7


def _name_markers(ax, fig, names: list[tuple[float, float, str]]) -> int:
    """Write each marker's name beside it, above or below, where it overlaps no other name.

    Returns how many markers got no name (their lane is too crowded at that date).
    """
    x0, x1 = ax.get_xlim()
    axes_pt = ax.get_window_extent().width * 72 / fig.dpi
    per_pt = (x1 - x0) / axes_pt
    taken: dict[tuple[float, int], list[tuple[float, float]]] = {}
    unnamed = 0
    for x, y, text in sorted(names):
        text = text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"
        width = (len(text) * LABEL_PT * 0.55 + 8) * per_pt
        for level, offset in enumerate((9, -9)):
            spans = taken.setdefault((y, level), [])
            if all(x + width <= a or x >= b for a, b in spans):
                spans.append((x, x + width))
                ax.annotate(
                    _mpl(text),
                    (x, y),
                    xytext=(6, offset),
                    textcoords="offset points",
                    fontsize=LABEL_PT,
                    va="center",
                    color="#333333",
                    clip_on=True,
                )
                break
        else:
            unnamed += 1
    return unnamed


def write_timeline_png(frame: pd.DataFrame, path: Path) -> Path:
    """The same picture as a static PNG (matplotlib, no browser needed), written atomically."""
    import matplotlib.pyplot as plt

    from pipeline.tables import _atomic_write

    fig = timeline_figure(frame)
    try:
        _atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))
    finally:
        plt.close(fig)
    return path


def build_timeline(out_dir: Path, db_path: Path) -> dict[str, Path]:
    """``timeline.html`` and ``timeline.png`` under ``out_dir``."""
    frame = timeline_frame(db_path)
    return {
        "timeline_html": write_timeline_html(frame, Path(out_dir) / "timeline.html"),
        "timeline_png": write_timeline_png(frame, Path(out_dir) / "timeline.png"),
    }

"""Meetings and commitment deadlines on one time axis: ``timeline.html`` (plotly) and ``timeline.png``.

The rows come from the DuckDB ``timeline`` view, so the picture and the SQL an analyst runs
agree. Deadlines get one lane per actor (or per actor type when there are too many actors to
read); meetings get one lane per meeting type. The HTML embeds plotly.js, so it opens offline.
"""

from __future__ import annotations

import datetime as dt
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


def timeline_frame(db_path: Path, lanes: str = "auto") -> pd.DataFrame:
    """One row per bar or marker, with its lane; ``lanes`` is "actor", "actor_type" or "auto"."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        frame = con.execute('SELECT * FROM timeline ORDER BY "start", item, id, actor_id').df()
    finally:
        con.close()
    if frame.empty:
        return frame.assign(lane=pd.Series(dtype=str))
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
    return frame


def _lane_order(frame: pd.DataFrame) -> list[str]:
    """Meeting lanes on top, then deadline lanes grouped by actor type and sorted by name."""
    meeting_lanes = sorted(frame.loc[frame["item"] == "meeting", "lane"].unique())
    deadline_lanes = frame.loc[frame["item"] == "deadline", ["lane", "actor_type"]].fillna("~")
    ordered = deadline_lanes.drop_duplicates("lane").sort_values(["actor_type", "lane"])["lane"].tolist()
    return meeting_lanes + ordered


def _hover(row: pd.Series) -> str:
    from html import escape

    start, end = row["start"].date(), row["end"].date()
    when = start.isoformat() if start == end else f"{start.isoformat()} → {end.isoformat()}"
    if row["item"] == "meeting":
        where = f"<br>{escape(row['location'])}" if isinstance(row["location"], str) else ""
        return f"<b>{escape(str(row['label']))}</b><br>{row['category']} · {row['status']}<br>{when}{where}"
    return (
        f"<b>{escape(str(row['category']))}</b> due {when}<br>{escape(str(row['actor_name'] or ''))}"
        f"<br>{escape(str(row['label'] or ''))[:160]}"
    )


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
                name=f"meeting ({status})",
                y=group["lane"],
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
                name=f"meeting ({status}, {SHORT_DAYS}+ days)",
                y=group["lane"],
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
                name=f"deadline ({kind})",
                y=group["lane"],
                x=group["start"],
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": COLORS.get(kind, OTHER_COLOR)},
                hovertext=[_hover(r) for _, r in group.iterrows()],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        title="Meetings and commitment deadlines",
        barmode="overlay",
        xaxis={"type": "date", "title": "date"},
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(order)), "automargin": True},
        height=max(320, 120 + 40 * len(order)),
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
    )
    html = fig.to_html(include_plotlyjs=True, full_html=True)
    atomic_write_text(path, html)
    return path


def write_timeline_png(frame: pd.DataFrame, path: Path) -> Path:
    """The same picture as a static PNG (matplotlib, no browser needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from pipeline.tables import _atomic_write

    order = _lane_order(frame)
    fig, ax = plt.subplots(figsize=(12, max(3.0, 1.0 + 0.45 * len(order))), dpi=100)
    try:
        ypos = {lane: len(order) - 1 - i for i, lane in enumerate(order)}
        handles: dict[str, object] = {}
        for _, row in frame[frame["item"] == "meeting"].iterrows():
            color = COLORS.get(row["color_key"], OTHER_COLOR)
            start = mdates.date2num(row["start"])
            days = (row["end"] - row["start"]).days + 1
            if days <= SHORT_DAYS:
                ax.plot(start, ypos[row["lane"]], marker="o", color=color, markersize=8)
                handles.setdefault(
                    f"meeting ({row['color_key']})", Line2D([], [], marker="o", color=color, linestyle="", markersize=8)
                )
            else:
                ax.broken_barh([(start, days)], (ypos[row["lane"]] - 0.3, 0.6), facecolors=color, alpha=0.75)
                handles.setdefault(f"meeting ({row['color_key']}, {SHORT_DAYS}+ days)", Patch(color=color, alpha=0.75))
        for _, row in frame[frame["item"] == "deadline"].iterrows():
            color = COLORS.get(row["color_key"], OTHER_COLOR)
            ax.plot(mdates.date2num(row["start"]), ypos[row["lane"]], marker="D", color=color, markersize=8)
            handles.setdefault(
                f"deadline ({row['color_key']})", Line2D([], [], marker="D", color=color, linestyle="", markersize=8)
            )
        ax.set_yticks(list(ypos.values()), list(ypos.keys()))
        ax.set_ylim(-0.7, max(len(order), 1) - 0.3)
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        ax.grid(axis="x", alpha=0.3)
        ax.set_title("Meetings and commitment deadlines")
        if handles:
            ax.legend(handles.values(), handles.keys(), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        if frame.empty:
            ax.text(0.5, 0.5, "no dated meetings or deadlines", ha="center", va="center", transform=ax.transAxes)
            ax.set_xlim(dt.date.today() - dt.timedelta(days=365), dt.date.today())
        fig.tight_layout()
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

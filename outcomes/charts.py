"""The daily chart of views and requests, drawn on the server as SVG by pygal.

The chart is an image (<img>), so no script in it could run; pygal still writes a small
configuration script for its optional tooltips, and it is removed here so the file has none.
Counts below 5 are left out of the chart (gaps), as the table below it says "fewer than 5".
"""

from xml.etree import ElementTree

import pygal
from pygal.style import Style

from outcomes.reports import Report, plotted

SVG = "{http://www.w3.org/2000/svg}"
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2a30",
    foreground_strong="#1f2a30",
    foreground_subtle="#5a6770",
    colors=("#00676b", "#b34700"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=14,
    title_font_size=16,
)


def daily_chart(report: Report) -> str:
    """SVG of the period's views (left axis) and requests (right axis), one point a day."""
    chart = pygal.Line(
        style=STYLE,
        js=[],
        width=900,
        height=360,
        show_minor_x_labels=False,
        x_label_rotation=0,
        allow_interruptions=True,
        include_x_axis=True,  # counts start from 0, so the lines are not exaggerated
        legend_at_bottom=True,
        truncate_label=-1,
        value_formatter=lambda value: f"{value:,.0f}",
        title=f"Views and requests per day, {report.period.start} to {report.period.end}",
    )
    labels = [day.day.isoformat() for day in report.days]
    chart.x_labels = labels
    chart.x_labels_major = labels[:: max(1, len(labels) // 6)]
    chart.add("Views", [plotted(day.views) for day in report.days])
    requests = [plotted(day.requests) for day in report.days]
    # pygal cannot scale a right-hand axis with nothing on it.
    chart.add("Requests", requests, secondary=any(value is not None for value in requests))
    root = chart.render_tree()
    _remove_scripts(root)
    return ElementTree.tostring(root, encoding="unicode")


def _remove_scripts(root) -> None:
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{SVG}script", "script"):
                parent.remove(child)

"""Charts drawn on the server from plain data: SVG for the pages, PNG for the Word reports.

No database, no request: a caller passes numbers and labels and gets a
:class:`~survey.charts.render.Chart` back (``.svg()`` with a ``<title>`` per mark, ``.png(dpi)``).
"""

from survey.charts.funnel import Z95, Z998, FunnelLimits, funnel_limits
from survey.charts.plots import caterpillar, distribution, funnel, profile, trend
from survey.charts.render import FONT_FAMILY, Chart

__all__ = [
    "FONT_FAMILY",
    "Z95",
    "Z998",
    "Chart",
    "FunnelLimits",
    "caterpillar",
    "distribution",
    "funnel",
    "funnel_limits",
    "profile",
    "trend",
]

"""Charts as declarative Vega-Lite specifications: one spec per chart, drawn interactively in
the portal (Vega-Embed, from the bundle vl-convert builds), as static SVG in HTML reports and as
JPEG images in PDF reports (vl-convert, offline). Nothing here loads anything from the internet.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["JPEG_QUALITY", "JPEG_SCALE", "burn_down_chart", "javascript_bundle", "to_jpeg",
           "to_svg", "trend_chart"]

Spec = dict[str, Any]
_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier, never fetched
_INK, _GOAL, _BAD = "#1f4e79", "#6b7280", "#b42318"
_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
_lock = threading.Lock()
_bundle: list[str] = []


def _base(title: str, width: int | str, height: int = 160) -> Spec:
    return {
        "$schema": _SCHEMA, "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": width, "height": height, "background": "transparent",
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 11,
                                                        "grid": True, "gridOpacity": 0.4},
                   "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
    }


def trend_chart(title: str, points: Sequence[tuple[str, float | None, float | None]], *,
                percent: bool = True, width: int | str = "container", height: int = 160
                ) -> Spec:
    """Attainment per period (a line with points) against the goal (a dashed line).

    ``points``: (period label, attainment, goal), oldest first; a missing attainment (nothing
    counted) leaves a gap.
    """
    values = [{"period": p, "attainment": a, "goal": g} for p, a, g in points]
    axis = {"format": ".1%"} if percent else {}
    y = {"type": "quantitative", "scale": {"zero": False}, "axis": axis}
    spec = _base(title, width, height)
    spec.update({
        "data": {"values": values},
        "encoding": {"x": {"field": "period", "type": "ordinal", "title": None,
                           "axis": {"labelAngle": 0}}},
        "layer": [
            {"mark": {"type": "line", "strokeDash": [4, 3], "color": _GOAL},
             "encoding": {"y": {**y, "field": "goal", "title": None}}},
            {"mark": {"type": "line", "point": True, "color": _INK},
             "encoding": {"y": {**y, "field": "attainment", "title": None},
                          "tooltip": [{"field": "period"},
                                      {"field": "attainment", "format": ".3~%" if percent
                                       else ".4~g"},
                                      {"field": "goal", "format": ".3~%" if percent
                                       else ".4~g"}]}},
        ],
    })
    return spec


def burn_down_chart(title: str, burn: Sequence[tuple[str, float]], *, end: str, unit: str,
                    width: int | str = "container") -> Spec:
    """The error budget left over the period: a step line from the period's start (the whole
    budget) down at each breach or outage, to the period's end; a red rule at zero."""
    values = [{"at": at, "left": left} for at, left in burn]
    if values:
        values.append({"at": end, "left": values[-1]["left"]})
    label = "breaches left" if unit == "breaches" else "minutes left"
    scale = 1 if unit == "breaches" else 1 / 60
    spec = _base(title, width)
    spec.update({
        "data": {"values": values},
        "transform": [{"calculate": f"datum.left * {scale}", "as": "shown"}],
        "layer": [
            {"mark": {"type": "line", "interpolate": "step-after", "color": _INK},
             "encoding": {"x": {"field": "at", "type": "temporal", "title": None},
                          "y": {"field": "shown", "type": "quantitative", "title": label},
                          "tooltip": [{"field": "at", "type": "temporal",
                                       "format": "%Y-%m-%d %H:%M"},
                                      {"field": "shown", "title": label, "format": ".1f"}]}},
            {"mark": {"type": "rule", "color": _BAD, "strokeDash": [2, 2]},
             "encoding": {"y": {"datum": 0}}},
        ],
    })
    return spec


def to_svg(spec: Spec) -> str:
    """The chart as a standalone SVG (for PDF reports and pages without JavaScript); the same
    spec always draws the same SVG, so recent ones are kept."""
    fixed = {**spec, "width": 480 if spec.get("width") == "container" else spec.get("width")}
    return _svg(json.dumps(fixed, sort_keys=True))


@lru_cache(maxsize=1024)
def _svg(spec: str) -> str:
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(json.loads(spec))
    return svg


JPEG_SCALE = 2
"""Pixels of a JPEG chart per CSS pixel: about 190 dots per inch on paper."""
JPEG_QUALITY = 85


def to_jpeg(spec: Spec) -> bytes:
    """The chart as a JPEG image on white, ``JPEG_SCALE`` times its size in pixels (for PDF
    reports: WeasyPrint copies a JPEG into the PDF as it is, where it lays out every element of
    an SVG and redraws a PNG); the same spec always draws the same image, so recent ones are
    kept."""
    fixed = {**spec, "background": "white",
             "width": 480 if spec.get("width") == "container" else spec.get("width")}
    return _jpeg(json.dumps(fixed, sort_keys=True))


@lru_cache(maxsize=256)
def _jpeg(spec: str) -> bytes:
    import vl_convert

    jpeg: bytes = vl_convert.vegalite_to_jpeg(json.loads(spec), scale=JPEG_SCALE,
                                                quality=JPEG_QUALITY)
    return jpeg


def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (``window.vegaEmbed``), built once."""
    with _lock:
        if not _bundle:
            import vl_convert

            _bundle.append(vl_convert.javascript_bundle(_GLOBALS))
        return _bundle[0]

"""The chart renderer: SVG with a <title> per mark and nothing external, PNG at a given dpi,
funnel limits as Spiegelhalter 2005 defines them."""

from __future__ import annotations

import math
import struct
import threading

import defusedxml.ElementTree as ET
import pytest

from survey.charts import (
    Z95,
    Z998,
    caterpillar,
    distribution,
    funnel,
    funnel_limits,
    profile,
    trend,
)

SVG = "{http://www.w3.org/2000/svg}"

AGENCIES = [
    {"label": "市发改委", "value": 82.4, "low": 79.0, "high": 85.1},
    {"label": "市教育局", "value": 76.0, "low": 71.5, "high": 80.2, "note": "临界"},
    {"label": "市公安局", "value": 88.9, "low": 86.0, "high": 91.3},
    {"label": "市民政局", "value": None, "low": None, "high": None},
]


def titles(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text for t in root.iter(f"{SVG}title")]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_caterpillar_has_one_title_per_agency_and_the_mean():
    svg = caterpillar(AGENCIES, mean=80.1, description="排名").svg()
    found = titles(svg)
    assert found[0] == "排名"  # the chart's own title comes first
    assert found.count("市公安局: 88.9 (86.0–91.3)") == 1  # its interval and dot: one mark
    assert "市教育局: 76.0 (71.5–80.2)" in found
    assert any(t.endswith("80.1") for t in found)
    assert not any("市民政局" in t for t in found)  # not rated: not drawn as a point
    # the text stays text (the browser draws it in the page's font)
    assert "市教育局 临界" in svg


def test_svg_is_inline_ready_and_self_contained():
    svg = caterpillar(AGENCIES, mean=80.0, prefix="rank").svg()
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org", "").replace(
        "http://purl.org", ""
    ).replace("http://creativecommons.org", "")
    root = ET.fromstring(svg)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert ids and all(i.startswith("rank-") for i in ids)
    assert len(ids) == len(set(ids))
    # the pages' CSP ignores inline styles: everything is a presentation attribute
    assert "style=" not in svg and "<style" not in svg
    assert 'fill="#ffffff"' in svg and "font-family=" in svg


def test_two_charts_on_one_page_share_no_id():
    first = ET.fromstring(caterpillar(AGENCIES, prefix="a").svg())
    second = ET.fromstring(caterpillar(AGENCIES, prefix="b").svg())
    ids_a = {e.get("id") for e in first.iter() if e.get("id")}
    ids_b = {e.get("id") for e in second.iter() if e.get("id")}
    assert not ids_a & ids_b


def test_the_same_data_gives_the_same_svg():
    assert caterpillar(AGENCIES, mean=80).svg() == caterpillar(AGENCIES, mean=80).svg()


def test_png_at_the_asked_dpi():
    chart = profile(
        [
            {"label": "全面度", "value": 90.0, "low": 85.0, "high": 94.0, "reference": 80.0},
            {"label": "时效度", "value": 70.0, "reference": 75.0},
            {"label": "成效度", "value": None},
            {"label": "配合度", "value": 60.0},
        ]
    )
    small, large = png_size(chart.png(dpi=100)), png_size(chart.png(dpi=200))
    assert large[0] == pytest.approx(2 * small[0], abs=2)
    assert large[1] == pytest.approx(2 * small[1], abs=2)
    found = titles(chart.svg())
    assert "全面度: 90.0 (85.0–94.0)" in found
    assert not any(t.startswith("成效度:") for t in found)  # not rated is a note, not a bar
    assert "未评分" in chart.svg() or "not rated" in chart.svg()


def test_a_layout_taken_from_a_chart_of_the_same_make_gives_the_same_pixels():
    """A hundred feedback sheets' profiles are laid out once (``layout``/``place``): each must
    come out pixel for pixel as if laid out on its own, whatever its values."""
    first = [
        {"label": "全面度", "value": 90.0, "low": 85.0, "high": 94.0, "reference": 80.0},
        {"label": "时效度", "value": None},
        {"label": "成效度", "value": 55.0, "low": 50.0, "high": 60.0, "reference": 70.0},
        {"label": "配合度", "value": 60.0},
    ]
    other = [
        {"label": "全面度", "value": 12.0, "low": 2.0, "high": 20.0, "reference": 50.0},
        {"label": "时效度", "value": 99.5, "low": 97.0, "high": 100.0, "reference": 90.0},
        {"label": "成效度", "value": None},
        {"label": "配合度", "value": 0.0, "reference": 1.0},
    ]
    positions = profile(first).layout(dpi=130)
    for spec in (first, other):
        placed = profile(spec)
        placed.place(positions)
        assert placed.png(dpi=130) == profile(spec).png(dpi=130)


def test_funnel_limits_without_overdispersion():
    limits = funnel_limits([(25, 80.0), (100, 81.0)], target=80.0, sigma=10.0, overdispersion=False)
    at25 = limits.at(25)
    assert at25["high_95"] == pytest.approx(80 + Z95 * 2)
    assert at25["low_998"] == pytest.approx(80 - Z998 * 2)
    assert limits.position(25, 80 + 1.96 * 2 + 0.1) == "beyond_95"
    assert limits.position(25, 80 - 3.1 * 2) == "beyond_998"
    assert limits.position(100, 81.0) == "inside"


def test_funnel_widens_when_agencies_spread_more_than_chance():
    # scores far apart for their n: the z-scores' mean square is well above one
    points = [(400, 60.0), (400, 70.0), (400, 80.0), (400, 90.0), (400, 75.0), (400, 85.0)]
    limits = funnel_limits(points, target=76.7, sigma=10.0)
    assert limits.phi > 1 and limits.tau2 > 0
    plain = funnel_limits(points, target=76.7, sigma=10.0, overdispersion=False)
    assert limits.half_width(400, Z95) > plain.half_width(400, Z95)
    # the DerSimonian–Laird estimate by hand (equal weights: Σw − Σw²/Σw = (I − 1)·w)
    z = sorted((v - 76.7) / (10 / math.sqrt(400)) for _, v in points)
    # 10 % of six is none, so nothing is pulled in
    phi = sum(x * x for x in z) / 6
    w = 400 / 100
    assert limits.tau2 == pytest.approx((6 * phi - 5) / (6 * w - 6 * w * w / (6 * w)))


def test_funnel_keeps_chance_spread_at_zero():
    points = [(100, 80.2), (100, 79.9), (100, 80.1), (100, 79.8)]
    assert funnel_limits(points, target=80.0, sigma=10.0).tau2 == 0.0


def test_funnel_chart_marks_each_agency_with_where_it_falls():
    points = [
        {"label": "市发改委", "n": 30, "value": 81.0},
        {"label": "市教育局", "n": 400, "value": 60.0},
        {"label": "市公安局", "n": 120, "value": 80.5},
    ]
    chart = funnel(points, target=80.0, sigma=12.0, overdispersion=False)
    found = titles(chart.svg())
    assert any(t.startswith("市教育局: 60.0, n = 400") for t in found)
    assert chart.extra["limits"].target == 80.0
    assert png_size(chart.png(dpi=96))[0] > 0


def test_distribution_never_names_an_agency_and_counts_by_band():
    values = [91.0, 92.0, 84.0, 86.0, 71.0]
    bands = [{"key": "good", "label": "好"}, {"key": "fair", "label": "较好"}]
    chart = distribution(
        values, bands, band_of=["good", "good", "fair", "fair", "fair"], highlight=84.0
    )
    found = titles(chart.svg())
    counted = [t for t in found if "–" in t]
    # 90–95: two of 好; 80–85 and 85–90: one each of 较好; 70–75: one
    assert len(counted) == 4
    assert sum(int("".join(c for c in t.split(":")[1] if c.isdigit())) for t in counted) == 5
    assert any(t.endswith("84.0") for t in found)


def test_trend_leaves_a_missing_year_out():
    chart = trend(
        [
            {
                "label": "市发改委",
                "points": [
                    {"year": 2024, "value": 78.0, "low": 75.0, "high": 81.0},
                    {"year": 2025, "value": None},
                    {"year": 2026, "value": 82.0},
                ],
            }
        ]
    )
    found = titles(chart.svg())
    assert "市发改委 2024: 78.0 (75.0–81.0)" in found
    assert "市发改委 2026: 82.0" in found
    assert not any("2025" in t for t in found if t.startswith("市发改委 2"))


def test_charts_drawn_at_once_from_several_threads_agree():
    expected = caterpillar(AGENCIES, mean=80).svg()
    results: list[str] = []

    def draw():
        results.append(caterpillar(AGENCIES, mean=80).svg())

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4

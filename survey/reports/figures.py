"""The documents' charts, drawn by the dashboard's renderer (``survey.charts``) as PNG — Word
has no SVG. Every word is passed in Chinese (the documents are Chinese whatever the locale),
so drawing needs no request and can run in worker processes: a hundred feedback sheets'
profiles are drawn two at a time."""

from __future__ import annotations

import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from survey.charts import caterpillar, distribution, profile
from survey.reports import wording as w
from survey.reports.facts import ReportFacts
from survey.scores.exporting import kind_label, ordered

DIMENSIONS = ("comprehensiveness", "timeliness", "effectiveness", "cooperation")
PRINT_DPI = 200  # the report's charts, printed at about 150 mm wide
# A sheet's profile, 120 mm wide: 5.5 in × 130 px = 715 px, about 150 px per printed inch.
# Drawing is most of a hundred sheets' time (0.3 s a chart at 150, 0.2 s at 100).
SHEET_DPI = 130
PER_CHART = 30  # agencies in one caterpillar: it stays inside one page
POOL_FROM = 8  # sheets from which the profiles are drawn in worker processes
BAND_KEYS = (*w.BAND_WORDS, "borderline", "unranked")
BAND_LEGEND = {**w.BAND_WORDS, "borderline": "临界", "unranked": "不参与定等"}


def _band_key(agency: dict) -> str:
    if not agency["ranked"]:
        return "unranked"
    if agency["band"] is None:
        return "borderline"
    return agency["band"]


def report_figures(facts: ReportFacts) -> dict[str, list[tuple[str, bytes]]]:
    agencies = [a for a in facts.agencies if a["composite"] is not None]
    out: dict[str, list[tuple[str, bytes]]] = {"overview": [], "ranking": [], "dimensions": []}
    if not agencies:
        return out
    spread = distribution(
        [a["composite"] for a in agencies],
        [{"key": k, "label": BAND_LEGEND[k]} for k in BAND_KEYS],
        band_of=[_band_key(a) for a in agencies],
        description="综合得分分布（按等次）",
        xlabel="综合得分",
        ylabel="单位数",
        width=6.0,
        height=2.8,
    )
    out["overview"].append(("综合得分分布", spread.png(PRINT_DPI)))
    by_kind: dict[str, list[dict]] = {}
    for agency in ordered(agencies):
        by_kind.setdefault(agency["kind"], []).append(agency)
    for kind, rows in by_kind.items():
        if len(rows) < 3:
            continue  # a kind of one or two agencies: the table says it all
        mean = statistics.mean(a["composite"] for a in rows)
        chunks = [rows[i : i + PER_CHART] for i in range(0, len(rows), PER_CHART)]
        for number, chunk in enumerate(chunks, start=1):
            chart = caterpillar(
                [
                    {
                        "label": a["name"],
                        "value": a["composite"],
                        "low": a["composite_low"],
                        "high": a["composite_high"],
                        "note": "（临界）"
                        if _band_key(a) == "borderline"
                        else ("（不排名）" if not a["ranked"] else ""),
                    }
                    for a in chunk
                ],
                mean,
                prefix=f"caterpillar{number}",
                description=f"{kind_label(kind)}综合得分及95%区间",
                xlabel="综合得分（横线为95%区间）",
                mean_label="同类平均",
                width=6.0,
            )
            part = f"（{number}/{len(chunks)}）" if len(chunks) > 1 else ""
            out["ranking"].append(
                (f"{kind_label(kind)}综合得分及95%区间{part}", chart.png(PRINT_DPI))
            )
    means = []
    for d in DIMENSIONS:
        values = [
            a["dimensions"][d]["score"]
            for a in facts.agencies
            if a["dimensions"][d]["rated"] and a["dimensions"][d]["score"] is not None
        ]
        means.append(
            {"label": w.DIMENSION_WORDS[d], "value": statistics.mean(values) if values else None}
        )
    chart = profile(
        means,
        description="四个维度平均得分",
        not_rated_label="无评定",
        reference_label="平均",
        width=5.5,
    )
    out["dimensions"].append(("四个维度平均得分", chart.png(PRINT_DPI)))
    return out


def profile_spec(agency: dict, kind_means: dict[str, float | None]) -> list[dict]:
    """One agency's four dimensions with its kind's averages (plain data, picklable)."""
    spec = []
    for d in DIMENSIONS:
        value = agency["dimensions"][d]
        rated = value["rated"] and value["score"] is not None
        spec.append(
            {
                "label": w.DIMENSION_WORDS[d],
                "value": value["score"] if rated else None,
                "low": value["ci_low"] if rated else None,
                "high": value["ci_high"] if rated else None,
                "reference": kind_means.get(d),
            }
        )
    return spec


def _profile_chart(spec: list[dict]):
    return profile(
        spec,
        description="本单位四个维度得分（竖线为同类单位平均）",
        not_rated_label="不予评定",
        reference_label="同类平均",
        width=5.5,
    )


def profile_png(spec: list[dict], positions=None) -> bytes:
    """One agency's profile; ``positions`` (``Chart.layout`` of another profile) skips the
    layout pass: every profile has the same labels, ticks and size, so the same layout."""
    chart = _profile_chart(spec)
    if positions is not None:
        chart.place(positions)
    return chart.png(SHEET_DPI)


def profile_pngs(specs: dict[int, list[dict]]) -> dict[int, bytes]:
    """Each agency's profile, laid out once; many are drawn in two worker processes
    (forked: the renderer is already imported and the data is plain)."""
    ids = list(specs)
    if not ids:
        return {}
    positions = _profile_chart(specs[ids[0]]).layout(SHEET_DPI)
    if len(ids) < POOL_FROM or (os.cpu_count() or 1) < 2:
        return {i: profile_png(specs[i], positions) for i in ids}
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("fork")) as pool:
        drawn = pool.map(profile_png, [specs[i] for i in ids], [positions] * len(ids), chunksize=4)
        return dict(zip(ids, drawn, strict=True))

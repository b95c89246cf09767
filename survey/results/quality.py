"""The quality of a run's evidence, condensed from its document once (survey.results.cache):
responses per group and why some were left out, agencies short of a group's minimum,
reliability with a one-sentence reading, and the peer round's checks."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REASONS = ("too_fast", "honeypot", "straight_line", "burst")
FLAG_LABELS = {
    "too_fast": _l("Too fast"),
    "honeypot": _l("Hidden field filled in"),
    "straight_line": _l("Same answer throughout, and fast"),
    "burst": _l("In a burst of submissions"),
}


def condensed(document: dict, minimum: dict[str, int]) -> dict:
    engine = document["engine"]
    tables = engine["tables"]
    names = {a["agency_id"]: a["name"] for a in document["agencies"]}
    short = []
    for row in document.get("survey_counts", []):
        need = minimum.get(row["group"])
        if need is not None and row["n"] < need:
            short.append(
                {
                    "agency": names.get(row["agency_id"], str(row["agency_id"])),
                    "group": row["group"],
                    "dimension": row["dimension"],
                    "n": row["n"],
                    "minimum": need,
                }
            )
    peer = []
    for check in engine.get("peer", []):
        pairs = [p for p in check.get("pairs", []) if p.get("flagged")]
        peer.append(
            {
                "group": check.get("group"),
                "dimension": check.get("dimension"),
                "dyadic_reciprocity": check.get("dyadic_reciprocity"),
                "mutual_high_dyads": check.get("mutual_high_dyads"),
                "mutual_high_null_p": check.get("mutual_high_null_p"),
                "flagged_pairs": [
                    [names.get(p["a"], str(p["a"])), names.get(p["b"], str(p["b"]))] for p in pairs
                ],
                "cliques": [
                    [names.get(member, str(member)) for member in clique]
                    for clique in check.get("cliques", [])
                ],
                # raters of the peer round are agencies: named, with how far off they rate
                "leniency_outliers": [
                    {
                        "rater": names.get(o.get("rater"), str(o.get("rater"))),
                        "effect": o.get("effect"),
                    }
                    for o in check.get("leniency_outliers", [])
                ],
            }
        )
    return {
        "responses": tables.get("responses", []),
        "reliability": tables.get("reliability", []),
        "short": sorted(short, key=lambda r: (r["agency"], r["group"], r["dimension"])),
        "peer": peer,
        "flagged": len(tables.get("flagged", [])),
    }


def reading(row: dict) -> str:
    """One sentence, in plain words, on a scale's reliability."""
    alpha, score = row.get("alpha"), row.get("score_reliability")
    if alpha is None:
        return _("Too few complete answers to judge the scale's consistency.")
    if alpha >= 0.8:
        first = _("The items agree well with each other")
    elif alpha >= 0.7:
        first = _("The items agree acceptably")
    else:
        first = _("The items agree only weakly: read single items with care")
    if score is None:
        return first + _(".")
    if score >= 0.8:
        return first + _("; the agencies' scores are well separated from noise.")
    if score >= 0.6:
        return first + _("; the agencies' scores are only moderately separated from noise.")
    return first + _("; much of the difference between agencies' scores may be noise.")

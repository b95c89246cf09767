"""The quality of a run's evidence, condensed from its document once (survey.results.cache):
responses per group and why some were left out, agencies short of a group's minimum,
reliability with a one-sentence reading, and the peer round's checks."""

from __future__ import annotations

import math

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
    tests = engine.get("config", {}).get("peer", {})
    return {
        "responses": tables.get("responses", []),
        "reliability": tables.get("reliability", []),
        "short": sorted(short, key=lambda r: (r["agency"], r["group"], r["dimension"])),
        "peer": peer,
        "round_flags": [_round_flag(row, names) for row in tables.get("detection", [])],
        "round_tests": {"alpha": tests.get("alpha"), "permutations": tests.get("permutations")},
        "flagged": len(tables.get("flagged", [])),
    }


def _round_flag(row: dict, names: dict) -> dict:
    """One round-wise flag of the engine (analysis/METHODS.md §9a): a pair of agencies rating
    each other up, or a rater marking the strongest others down, with its round-wise p."""
    b = row.get("b")  # a rival's row has none (None, or NaN from a table not yet cleaned)
    who = [row["a"]] + ([] if b is None or (isinstance(b, float) and math.isnan(b)) else [b])
    return {
        "kind": row["kind"],
        "group": row["group"],
        "who": [names.get(agency_id, str(agency_id)) for agency_id in who],
        "p": row["p_round"],
    }


def flag_sentence(flag: dict, tests: dict) -> str:
    """The flag in one sentence a supervisor can act on: what stands out, how likely it is in
    an honest round, and how many such flags an honest round raises."""
    if flag["kind"] == "pair":
        what = _(
            "%(a)s and %(b)s rated each other higher than the rest of the round explains",
            a=flag["who"][0],
            b=flag["who"][-1],
        )
    else:
        what = _(
            "%(a)s rated the agencies the others rate best lower than the rest of the round "
            "explains",
            a=flag["who"][0],
        )
    alpha = tests.get("alpha") or 0.05
    p, shown_alpha = format(flag["p"], ".3f"), format(alpha, "g")
    return what + _(
        " (both dimensions together). In an honest round a result this strong turns up by "
        "chance with probability %(p)s (%(n)s shuffles of the round); at the threshold "
        "%(alpha)s an honest round raises such a flag at most about once in %(years)s years. "
        "Review the ratings before acting.",
        p=p,
        n=tests.get("permutations") or "—",
        alpha=shown_alpha,
        years=round(1 / alpha),
    )


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

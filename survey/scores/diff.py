"""What changed between two runs of a year: which agencies moved, by how much, and whether
the inputs (by source) or the settings differed."""

from __future__ import annotations

from dataclasses import dataclass

from survey.scores.models import ScoringRun

MOVE = 0.005  # composite points: less is rounding, not a change


@dataclass(frozen=True)
class Change:
    agency_id: int
    name: str
    before: float | None
    after: float | None
    rank_before: int | None
    rank_after: int | None
    band_before: str | None
    band_after: str | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class RunDiff:
    earlier: ScoringRun
    later: ScoringRun
    changed_sources: list[str]  # sources whose checksum differs, "settings" included
    changes: list[Change]  # agencies whose composite, rank or band moved, largest first


def compare(earlier: ScoringRun, later: ScoringRun) -> RunDiff:
    """From the runs' per-agency rows (their JSON documents are not parsed)."""
    old = {r.agency_id: r for r in earlier.agency_results}
    new = {r.agency_id: r for r in later.agency_results}
    changes = []
    for agency_id in sorted(set(old) | set(new)):
        a, b = old.get(agency_id), new.get(agency_id)
        change = Change(
            agency_id,
            (b or a).agency.name,
            a.composite if a else None,
            b.composite if b else None,
            a.rank if a else None,
            b.rank if b else None,
            a.band if a else None,
            b.band if b else None,
        )
        moved = change.delta is None and change.before != change.after
        moved = moved or (change.delta is not None and abs(change.delta) >= MOVE)
        if (
            moved
            or change.rank_before != change.rank_after
            or change.band_before != change.band_after
        ):
            changes.append(change)
    changes.sort(key=lambda c: -abs(c.delta or 0.0))
    sources = sorted(
        name
        for name in set(earlier.source_checksums) | set(later.source_checksums)
        if earlier.source_checksums.get(name) != later.source_checksums.get(name)
    )
    return RunDiff(earlier, later, sources, changes)

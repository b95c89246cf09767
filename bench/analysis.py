"""Benchmark ``analysis.evaluate`` on a synthetic year (a script, not a test).

A year of ``--responses`` public responses (default 1,000,000) plus a full peer round robin
(100 × 99), a deputy panel and grassroots units rating subsets, for ``--agencies`` agencies.
Times ``evaluate`` without bootstrap and with ``--replicates`` bootstrap replicates, each beside
the baseline measured in the same run — a plain pandas
``frame.groupby(['agency_id', 'group'])[items].mean()`` of the same frame — as a ratio, and
the peak memory of the process (ru_maxrss) and of the Python heap during each run
(tracemalloc is off while timing; a separate run measures it when ``--tracemalloc``).

Goals (PERFORMANCE.md): no-bootstrap ≤ 5× baseline; 1,000 replicates < 60 s and < 2 GB.

    .venv/bin/python bench/analysis.py                       # full size
    .venv/bin/python bench/analysis.py --responses 100000 --replicates 200
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import EvaluationConfig, evaluate  # noqa: E402
from analysis.synthetic import synthetic_year  # noqa: E402


def _time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="public responses")
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--replicates", type=int, default=1000, help="bootstrap replicates")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    parser.add_argument("--workers", type=int, default=2, help="bootstrap threads")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    responses, items, agencies, _ = synthetic_year(
        args.agencies, args.responses, burst=300, collusion=1.0, rival=1.0, seed=args.seed
    )
    item_cols = list(items["item_id"])
    print(
        f"synthetic year: {len(responses):,} responses ({args.responses:,} public), "
        f"{args.agencies} agencies, {len(item_cols)} items — built in "
        f"{time.perf_counter() - start:.1f} s"
    )
    print(f"peak RSS after building the frame: {_maxrss_mb():,.0f} MB")

    def baseline():
        return responses.groupby(["agency_id", "group"])[item_cols].mean()

    base, _ = _time(baseline, args.repeat)
    print(f"\nbaseline groupby(['agency_id','group']).mean(): {base:.3f} s")

    plain = EvaluationConfig().replace(bootstrap={"replicates": 0})
    t0, result = _time(lambda: evaluate(responses, items, plain, agencies=agencies), args.repeat)
    ratio = t0 / base
    verdict = "ok" if ratio <= 5 else "OVER GOAL"
    print(f"evaluate, no bootstrap:   {t0:.3f} s  = {ratio:.1f}× baseline  (goal ≤ 5×: {verdict})")
    print(f"  peak RSS so far: {_maxrss_mb():,.0f} MB")

    if args.replicates:
        boot = EvaluationConfig().replace(
            bootstrap={"replicates": args.replicates, "seed": 1, "chunk": 50}
        )
        t1, result = _time(
            lambda: evaluate(responses, items, boot, agencies=agencies, workers=args.workers), 1
        )
        verdict = "ok" if t1 < 60 else "OVER GOAL"
        print(
            f"evaluate, {args.replicates} replicates: {t1:.2f} s = {t1 / base:.0f}× baseline "
            f"(goal < 60 s: {verdict}; {args.workers} worker threads)"
        )
        rss = _maxrss_mb()
        verdict = "ok" if rss < 2048 else "OVER GOAL"
        print(f"  peak RSS of the process: {rss:,.0f} MB (goal < 2 GB: {verdict})")
    top = result.ranking.sort_values("rank").head(3)
    print("\ntop 3:", ", ".join(f"{i} ({r.composite:.1f}, {r.band})" for i, r in top.iterrows()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

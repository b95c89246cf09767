"""Benchmark ``analysis.evaluate`` on a synthetic year (a script, not a test).

A year of ``--responses`` public responses (default 1,000,000) plus a full peer round robin
(``--agencies`` × (agencies − 1)), a deputy panel and grassroots units rating subsets. Times
``evaluate`` without bootstrap and with ``--replicates`` bootstrap replicates, each beside the
baseline measured in the same run — a plain pandas
``frame.groupby(['agency_id', 'group'])[items].mean()`` of the same frame — as a ratio, and
the peak memory of the process (``ru_maxrss``; the frame itself is part of it).

Timings are the minimum over ``--repeat`` runs, baseline and ``evaluate`` interleaved so both
see the same machine load. OpenBLAS is limited to one thread unless ``OPENBLAS_NUM_THREADS`` is
set: ``evaluate`` runs its own worker threads, and idle OpenBLAS threads took ~100 ms to wake
for every 100 × 100 solve on the 2-core VM (see analysis/METHODS.md, "Deployment").

Goals (issue 13): without intervals ≤ 3× baseline; the default interval method (parametric
posterior draws, 2,000 replicates) < 10 s; peak memory < 2 GB on 2 cores.

    .venv/bin/python bench/analysis.py                       # full size, default intervals
    .venv/bin/python bench/analysis.py --method resample --replicates 1000
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse  # noqa: E402  (after the environment line above)
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import EvaluationConfig, evaluate  # noqa: E402
from analysis.synthetic import synthetic_year  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="public responses")
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--replicates", type=int, default=2000, help="replicates (default 2000)")
    parser.add_argument("--method", default="parametric", choices=("parametric", "resample"))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (minimum is kept)")
    parser.add_argument("--workers", type=int, default=2, help="evaluate's threads")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    responses, items, agencies, _ = synthetic_year(
        args.agencies, args.responses, burst=300, collusion=1.0, rival=1.0, seed=args.seed
    )
    item_cols = list(items["item_id"])
    print(
        f"synthetic year: {len(responses):,} responses ({args.responses:,} public), "
        f"{args.agencies} agencies, {len(item_cols)} items; built in "
        f"{time.perf_counter() - start:.1f} s; OPENBLAS_NUM_THREADS="
        f"{os.environ['OPENBLAS_NUM_THREADS']}, {os.cpu_count()} CPUs"
    )
    frame_rss = _rss_mb()

    plain = EvaluationConfig().replace(bootstrap={"replicates": 0})
    base, plain_times = [], []
    for _ in range(args.repeat):
        base.append(_timed(lambda: responses.groupby(["agency_id", "group"])[item_cols].mean())[0])
        seconds, result = _timed(
            lambda: evaluate(responses, items, plain, agencies=agencies, workers=args.workers)
        )
        plain_times.append(seconds)
    b, t0 = min(base), min(plain_times)
    print(f"\nbaseline groupby(['agency_id','group']).mean(): {b:.3f} s")
    ok = "ok" if t0 <= 3 * b else "OVER GOAL"
    print(f"evaluate, no intervals:      {t0:.3f} s = {t0 / b:.1f}× baseline (goal ≤ 3×: {ok})")

    if args.replicates:
        boot = EvaluationConfig().replace(
            bootstrap={"replicates": args.replicates, "seed": 1, "method": args.method}
        )
        t1, result = _timed(
            lambda: evaluate(responses, items, boot, agencies=agencies, workers=args.workers)
        )
        ok = "ok" if t1 < 10 else "OVER GOAL"
        print(
            f"evaluate, {args.method} {args.replicates}: {t1:.2f} s = {t1 / b:.0f}× baseline "
            f"(goal < 10 s: {ok})"
        )
    rss = _rss_mb()
    ok = "ok" if rss < 2048 else "OVER GOAL"
    print(
        f"peak memory (ru_maxrss): {rss:,.0f} MB for the whole process, of which the input "
        f"frame and generator ≈ {frame_rss:,.0f} MB (goal < 2 GB: {ok})"
    )
    top = result.ranking.sort_values("rank").head(3)
    print("top 3:", ", ".join(f"{i} ({r.composite:.1f}, {r.band})" for i, r in top.iterrows()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

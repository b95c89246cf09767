"""Time the round-wise peer tests on ``bench/analysis.py``'s year (a script, not a test).

Builds the same synthetic year (``--responses`` public responses, ``--agencies`` agencies,
seed 0), fits it once, then times on its peer round robin: ``detection.round_tests`` (every
pair and rater, ``--permutations`` shuffles), its latent-leniency fit alone, and the
mutual-high clique null of each dimension. Figures are the median (and minimum) over
``--repeat`` runs, wall clock and CPU time of this process (single-threaded numpy), so a
loaded machine inflates them less than ``bench/analysis.py``'s ratios; the load average is
printed with them.

    .venv/bin/python bench/detection.py                 # 1,000,000 responses, 100 agencies
    .venv/bin/python bench/detection.py --responses 100000 --repeat 9
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import EvaluationConfig, detection  # noqa: E402
from analysis import model as pipeline  # noqa: E402
from analysis.peer_diagnostics import mutual_high_cliques  # noqa: E402
from analysis.prepare import prepare  # noqa: E402
from analysis.quality import compute_flags  # noqa: E402
from analysis.synthetic import synthetic_year  # noqa: E402


def _times(fn, repeat: int) -> tuple[float, float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return float(np.median(wall)), float(np.median(cpu)), float(min(cpu))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="public responses")
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--permutations", type=int, default=199)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    responses, items, agencies, _ = synthetic_year(
        args.agencies, args.responses, burst=300, collusion=1.0, rival=1.0, seed=0
    )
    config = EvaluationConfig().replace(bootstrap={"replicates": 0})
    prep = prepare(responses, items, config, agencies, 1)
    model = pipeline.build(prep, compute_flags(prep, config), config)
    fits = [f.model for (_, _), f in sorted(model.fits.items()) if f.estimator == "srm"]
    ids = fits[0].target_effects.index
    mats = [detection._matrices(r, ids) for r in fits]
    pairs, raters = detection.round_tests(
        fits, alpha=0.05, permutations=args.permutations, seed=config.bootstrap.seed
    )
    print(
        f"peer round robin: {len(ids)} agencies, {len(fits)} dimensions, "
        f"{args.permutations} shuffles; load average {os.getloadavg()[0]:.1f}; flags: "
        f"{int(pairs['flagged'].sum())} pairs (smallest p {pairs['p_round'].min():.3f}), "
        f"{int(raters['flagged'].sum())} raters (smallest p {raters['p_round'].min():.3f})"
    )
    runs = {
        "round_tests (all)": lambda: detection.round_tests(
            fits, alpha=0.05, permutations=args.permutations, seed=config.bootstrap.seed
        ),
        "  latent-leniency fit": lambda: [
            detection._latent_residuals(g + fit, o, fit) for g, o, _, fit in mats
        ],
        "clique nulls (peer reports)": lambda: [
            mutual_high_cliques(f, n_permutations=args.permutations, seed=0) for f in fits
        ],
    }
    for name, fn in runs.items():
        wall, cpu, cpu_min = _times(fn, args.repeat)
        print(f"{name:30s} wall {wall:.3f} s  cpu {cpu:.3f} s (min {cpu_min:.3f} s)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

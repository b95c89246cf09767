"""Benchmark the Word documents on a synthetic year of ``--agencies`` agencies (default 100):
the full supervision report, and every agency's feedback sheet (each stored, plus the
composed document and the zip) — goal: each under 30 s on this machine. The CPU seconds
spent (this process and the two chart workers) are printed too: on a machine shared with
other work they say more than the wall-clock time.

The year is bench/scores.py's (one city, approved and self-assessed targets, the four
surveys; ``--responses`` public responses, default 20,000), in a fresh SQLite database,
scored once. Each build is timed through the service the page calls (gather the facts,
draw, write, store), ``--repeat`` times; the medians are reported with the spread, beside a
baseline measured in the same run: opening and saving the bare template as many times as
documents are written (what any .docx costs before it says anything).

    .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --agencies 40 --repeat 2
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse  # noqa: E402
import io  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from sqlalchemy import select  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scores import AS_OF, fill  # noqa: E402  (bench/scores.py: the synthetic year)

from survey import create_app, migrations  # noqa: E402
from survey.db import db  # noqa: E402

GOAL_S = 30.0


def cpu_s() -> float:
    """CPU seconds of this process and of its finished children (the chart workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare_template(times: int) -> float:
    from docx import Document

    from survey.reports.writer import TEMPLATE

    start = time.perf_counter()
    for _ in range(times):
        Document(TEMPLATE).save(io.BytesIO())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from survey.reports import services
    from survey.scores import services as scores
    from survey.years.models import AssessmentYear

    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrations.upgrade(url)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "INSTANCE_PATH": str(folder / "instance")}
    )
    with app.app_context():
        session = db.session
        start = time.perf_counter()
        fill(session, args.agencies, args.responses)
        year = session.scalar(select(AssessmentYear))
        run = scores.compute_run(session, None, year, AS_OF)
        session.commit()
        print(  # noqa: T201
            f"year filled and scored in {time.perf_counter() - start:.1f} s:"
            f" {len(run.agency_results)} agencies, {run.input_counts['responses']} responses"
        )
        services.save_advice(
            session, None, year, "（一）加强目标管理\n各单位要逐项明确责任和时限。"
        )
        session.commit()
        reports, sheets, baselines, cpu = [], [], [], {"report": [], "sheets": []}
        for _ in range(args.repeat):  # interleaved: every measure sees the same machine
            baselines.append(bare_template(args.agencies + 3))
            start, used = time.perf_counter(), cpu_s()
            report = services.build_supervision(session, None, run, AS_OF)
            session.commit()
            reports.append(time.perf_counter() - start)
            cpu["report"].append(cpu_s() - used)
            start, used = time.perf_counter(), cpu_s()
            built = services.build_feedback(session, None, run, AS_OF)
            session.commit()
            sheets.append(time.perf_counter() - start)
            cpu["sheets"].append(cpu_s() - used)
        sizes = (report.size, built.composed.size, built.zipped.size)
    for name, values in (
        ("supervision report", reports),
        (f"all {args.agencies} feedback sheets (+ composed + zip)", sheets),
        (f"baseline: bare template opened and saved {args.agencies + 3}×", baselines),
    ):
        verdict = (
            ""
            if name.startswith("baseline")
            else ("  OK" if statistics.median(values) < GOAL_S else f"  OVER {GOAL_S:.0f} s")
        )
        print(  # noqa: T201
            f"{name}: median {statistics.median(values):.2f} s"
            f" (min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs){verdict}"
        )
    print(  # noqa: T201
        f"CPU seconds (this process and the chart workers): report median"
        f" {statistics.median(cpu['report']):.1f},"
        f" sheets median {statistics.median(cpu['sheets']):.1f}"
    )
    print(  # noqa: T201
        f"sizes: report {sizes[0] // 1024} KB, composed {sizes[1] // 1024} KB,"
        f" zip {sizes[2] // 1024} KB; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

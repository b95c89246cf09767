"""CPU per submit, in-process: the token sitting's final submit (bench/submit.py's request)
against the bare endpoint (bench/bare_submit.py), each called through its WSGI app as
gunicorn would, on one database, with the process's CPU clock. A script, not a timed test:

    .venv/bin/python bench/submit_profile.py [--database sqlite|postgresql] [--submits 600]
        [--chunk 50] [--profile real|bare] [--top 40]

The two apps run in alternating chunks of ``--chunk`` submits (the machine may be shared).
``--profile`` prints cProfile's listings (CPU clock) for that app's submits instead.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.submit import database, free_port, prepare  # noqa: E402

WARM = 50


def environ(path: str, line: str) -> dict:
    cookie, body = line.split("\t", 1)
    data = body.encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(data)),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def call(app, path: str, line: str) -> str:
    status = []
    body = app(environ(path, line), lambda s, h, exc_info=None: status.append(s))
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return status[0]


def timed_chunk(app, path: str, lines: list[str]) -> float:
    start = time.process_time()
    for line in lines:
        status = call(app, path, line)
        assert status.startswith("303"), status
    return time.process_time() - start


def compare(apps: dict, lines: dict, chunk: int) -> dict:
    """Both apps' submits in alternating chunks, so that both meet the same moments of a
    shared machine: each app's mean CPU per submit and its best chunk's."""
    for name, (app, route) in apps.items():
        for line in lines[name][:WARM]:
            assert call(app, route, line).startswith("303"), "warm-up submit refused"
    times = {name: [] for name in apps}
    count = len(next(iter(lines.values()))) - WARM
    for offset in range(WARM, WARM + count, chunk):
        for name, (app, route) in apps.items():
            times[name].append(timed_chunk(app, route, lines[name][offset : offset + chunk]))
    return {
        name: (sum(spent) / count * 1000, min(spent) / chunk * 1000)
        for name, spent in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--submits", type=int, default=600)
    parser.add_argument("--profile", choices=["real", "bare"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--chunk", type=int, default=50, help="submits per alternating chunk")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(args.database, Path(tmp)) as url:
        workdir = Path(tmp)
        count = args.submits + WARM
        env, path, files = prepare(url, workdir, count, free_port())
        lines = {
            name: (files[name, "warm"].read_text() + files[name, "timed"].read_text())
            .rstrip("\n")
            .split("\n")[:count]
            for name in ("real", "bare")
        }
        os.environ.update(env)
        os.environ["BENCH_DATABASE_URL"] = url
        import bench.bare_submit as bare_module
        from survey import create_app

        apps = {"real": (create_app(), path), "bare": (bare_module.create_app(), "/submit")}
        if args.profile:
            app, route = apps[args.profile]
            for line in lines[args.profile][:WARM]:
                call(app, route, line)
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            timed_chunk(app, route, lines[args.profile][WARM:])
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
        else:
            results = compare(apps, lines, args.chunk)
            (real, real_best), (bare, bare_best) = results["real"], results["bare"]
            print(
                f"{args.database}: CPU per submit {real:.2f} ms (best chunk {real_best:.2f}), "
                f"bare endpoint {bare:.2f} ms ({bare_best:.2f}): {real / bare:.2f}x "
                f"({real_best / bare_best:.2f}x), {args.submits} submits each"
            )
        apps["real"][0].extensions["survey.db"]["engine"].dispose()


if __name__ == "__main__":
    main()

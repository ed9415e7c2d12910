"""Benchmark: building the lake, the playground's process hop, and its latency on the web.

    python bench/lake.py                   # scale 1 and 10 builds, playground at scale 1
    python bench/lake.py --scales 1 --requests 30

The process hop is one trivial query through ``Playground.run``: the filter,
the trip to a sandboxed worker process and back, a fresh locked DuckDB. Playground
latency is the whole POST /lake/playground request: form, worker, DuckDB, result page.
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.lake.engine import playground_engine  # noqa: E402
from app.lake.explore.examples import EXAMPLES  # noqa: E402
from app.lake.pipeline.build import build_lake  # noqa: E402
from app.lake.playground import Playground, PlaygroundSettings  # noqa: E402
from bench.pages import percentile  # noqa: E402

QUERIES = {
    "filter": EXAMPLES["trusted"][0].sql,
    "group-by": EXAMPLES["trusted"][1].sql,
    "three-way join": EXAMPLES["trusted"][2].sql,
    "window function": EXAMPLES["trusted"][3].sql,
}


def time_builds(workdir: Path, scales: list[int]) -> dict[int, float]:
    """Seconds to build the lake at each scale (seed 42), each into a new folder."""
    results = {}
    for scale in scales:
        start = time.perf_counter()
        build_lake(workdir / f"lake-{scale}", seed=42, scale=scale)
        results[scale] = round(time.perf_counter() - start, 2)
        click.echo(f"scale {scale:>3}: built in {results[scale]} s")
    return results


def time_process_hop(lake: Path, workdir: Path, n: int) -> dict[str, float]:
    """p50/p95 of ``SELECT 1`` through the playground's worker pool, without the web layer."""
    settings = PlaygroundSettings(lake_dir=lake, scratch_dir=workdir / "hop-scratch")
    with Playground(settings) as playground:
        for _ in range(3):  # the first queries boot the worker processes
            playground.run("SELECT 1", "bench")
        times = []
        for _ in range(n):
            start = time.perf_counter()
            result = playground.run("SELECT 1", "bench")
            times.append((time.perf_counter() - start) * 1000)
            if result.error:
                raise SystemExit(f"the process hop failed: {result.error.message}")
    hop = {"p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1)}
    click.echo(f"process hop      p50 {hop['p50_ms']:>6} ms   p95 {hop['p95_ms']:>6} ms")
    return hop


def time_playground(lake: Path, workdir: Path, n: int) -> dict[str, dict]:
    """p50/p95 of each typical query through POST /lake/playground, signed in."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "ACADEMY_LAKE_DIR": str(lake),
            "ACADEMY_SCRATCH_DIR": str(workdir / "scratch"),
        },
        instance_path=str(workdir / "instance"),
    )
    with app.app_context():
        from app.accounts.services import create_user

        db.create_all()
        create_user("bench@example.com", "Bench", password="benchmark-password")
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.com", "password": "benchmark-password"})
    results = {}
    for name, sql in QUERIES.items():
        times = []
        for i in range(n + 3):
            start = time.perf_counter()
            response = client.post("/lake/playground", data={"sql": sql, "run": "Run"})
            elapsed = (time.perf_counter() - start) * 1000
            page = response.get_data(as_text=True)
            alert = page.find('role="alert"')
            if response.status_code != 200 or alert >= 0:
                raise SystemExit(f"{name} failed: {page[alert:][:300]}")
            if i >= 3:  # the first requests warm the worker processes
                times.append(elapsed)
        results[name] = {
            "p50_ms": round(percentile(times, 0.5), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(max(times), 1),
        }
        click.echo(
            f"{name:<16} p50 {results[name]['p50_ms']:>6} ms   p95 {results[name]['p95_ms']:>6} ms"
        )
    playground_engine.close(app)
    return results


@click.command()
@click.option("--scales", default="1,10", show_default=True, help="Comma-separated scales.")
@click.option("--requests", "n", default=50, show_default=True, help="Per query.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write JSON here.")
def main(scales: str, n: int, out: Path | None) -> None:
    """Time lake builds and playground queries."""
    workdir = Path(tempfile.mkdtemp(prefix="academy-lake-bench-"))
    scale_list = [int(s) for s in scales.split(",")]
    builds = time_builds(workdir, scale_list)
    hop = time_process_hop(workdir / f"lake-{scale_list[0]}", workdir, n)
    queries = time_playground(workdir / f"lake-{scale_list[0]}", workdir, n)
    report = {
        "python": platform.python_version(),
        "build_seconds": builds,
        "process_hop": hop,
        "playground_scale": scale_list[0],
        "playground": queries,
    }
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

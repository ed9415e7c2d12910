"""Benchmark: grading end to end (submitted, queued, graded) through the site.

    python bench/grading.py --batch 10

Measures, with the sandbox on and two warm kernels per process:
- idle latency: one submission at a time, the pool refilled between them;
- a batch: N submissions at once; latency p50/p95 and throughput.
for a trivial exercise and a typical lake exercise (sq101-first-queries).
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.config import PROJECT_ROOT  # noqa: E402
from app.extensions import db  # noqa: E402
from app.lake.build import build_lake  # noqa: E402
from bench.pages import percentile  # noqa: E402

TRIVIAL_YAML = """\
title: Trivial
module: SQ101
questions:
  - id: q1
    points: 1
    prompt: What is six times seven?
    kind: value
    expected: 42
"""


def _notebook(source: str) -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Trivial"},
            {"cell_type": "code", "metadata": {"academy": {"answer": "q1"}},
             "execution_count": None, "outputs": [], "source": source},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip


def write_trivial(root: Path) -> None:
    """A one-question exercise: the smallest thing that can be graded."""
    folder = root / "trivial"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(TRIVIAL_YAML)
    (folder / "starter.ipynb").write_text(json.dumps(_notebook("answer_q1 = None")))
    (folder / "solution.ipynb").write_text(json.dumps(_notebook("answer_q1 = 6 * 7")))
    real = PROJECT_ROOT / "exercises" / "sq101-first-queries"
    (root / real.name).symlink_to(real)


def make_site(workdir: Path, lake: Path, exercises: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "ACADEMY_LAKE_DIR": str(lake),
            "ACADEMY_EXERCISES_DIR": str(exercises),
            "ACADEMY_KERNEL_POOL": 2,
            "ACADEMY_GRADING_WORKERS": 2,
            "ACADEMY_SUBMISSIONS_PER_WINDOW": 10_000,
        },
        instance_path=str(workdir / "instance"),
    )
    with app.app_context():
        from app.accounts.services import create_user

        db.create_all()
        create_user("bench@example.com", "Bench", password="benchmark-password")
        db.session.commit()
    return app


def submit(client, exercise: str, data: bytes) -> str:
    response = client.post(
        f"/exercises/{exercise}/submissions",
        data={"notebook": (io.BytesIO(data), "mine.ipynb")},
        content_type="multipart/form-data",
    )
    return response.headers["Location"] + ".json"


def wait(client, urls: list[str], started: dict[str, float]) -> dict[str, float]:
    done: dict[str, float] = {}
    while len(done) < len(urls):
        for url in urls:
            if url not in done and client.get(url).get_json()["finished"]:
                done[url] = time.perf_counter() - started[url]
        time.sleep(0.02)
    return done


def run(client, exercise: str, data: bytes, batch: int, idle_runs: int) -> dict:
    idle = []
    for _ in range(idle_runs):
        time.sleep(1.5)  # let the pool boot its replacement kernels
        start = time.perf_counter()
        url = submit(client, exercise, data)
        idle.append(wait(client, [url], {url: start})[url])
    time.sleep(1.5)
    starts, urls = {}, []
    begin = time.perf_counter()
    for _ in range(batch):
        start = time.perf_counter()
        url = submit(client, exercise, data)
        starts[url] = start
        urls.append(url)
    latencies = list(wait(client, urls, starts).values())
    total = time.perf_counter() - begin
    return {
        "idle_p50_s": round(percentile(idle, 0.5), 3),
        "idle_p95_s": round(percentile(idle, 0.95), 3),
        "batch": batch,
        "batch_p50_s": round(percentile(latencies, 0.5), 3),
        "batch_p95_s": round(percentile(latencies, 0.95), 3),
        "throughput_per_s": round(batch / total, 2),
    }


@click.command()
@click.option("--batch", default=10, show_default=True)
@click.option("--idle-runs", default=10, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None)
def main(batch: int, idle_runs: int, out: Path | None) -> None:
    """Grade trivial and lake exercises end to end and report latency and throughput."""
    workdir = Path(tempfile.mkdtemp(prefix="academy-grading-bench-"))
    lake = build_lake(workdir / "lake", seed=42, scale=1).lake
    exercises = workdir / "exercises"
    write_trivial(exercises)
    app = make_site(workdir, lake, exercises)
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.com", "password": "benchmark-password"})
    cases = {
        "trivial": ("trivial", (exercises / "trivial" / "solution.ipynb").read_bytes()),
        "lake (sq101-first-queries)": (
            "sq101-first-queries",
            (exercises / "sq101-first-queries" / "solution.ipynb").read_bytes(),
        ),
    }
    report = {}
    for name, (exercise, data) in cases.items():
        report[name] = run(client, exercise, data, batch, idle_runs)
        click.echo(f"{name}: {report[name]}")
    app.extensions["grading_queue"].shutdown()
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

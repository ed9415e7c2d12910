"""Benchmark: grading end to end (submitted, queued, graded) through the site, and nbgrader.

    make bench-grading          # creates .venv-nbgrader with nbgrader, then runs this
    python bench/grading.py --batch 10 --nbgrader .venv-nbgrader/bin/nbgrader

Measures, with the sandbox on and warm kernels in the pool:
- idle latency: one submission at a time, the pool refilled between them;
- a batch: N submissions at once; latency p50/p95, throughput and CPU per notebook;
for a trivial exercise and a typical lake exercise (sq101-first-queries). Then
runs nbgrader's ``autograde`` on the same trivial exercise in nbgrader's form,
in the same run, and reports the throughput ratio.

Latency runs from just before the upload request to the submission's own
``finished_at``; throughput from the first upload to the last grade. The idle
figures are the warm-kernel target (p50 under a second for a trivial
notebook); tests only check that a run takes a kernel the pool booted.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.config import PROJECT_ROOT  # noqa: E402
from app.extensions import db  # noqa: E402
from app.grading.models import Submission  # noqa: E402
from app.lake.pipeline.build import build_lake  # noqa: E402
from bench.nbgrader_baseline import run_autograde  # noqa: E402
from bench.pages import percentile  # noqa: E402

DEFAULT_NBGRADER = PROJECT_ROOT / ".venv-nbgrader" / "bin" / "nbgrader"

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


def make_site(workdir: Path, lake: Path, exercises: Path, kernels: int, workers: int):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "ACADEMY_LAKE_DIR": str(lake),
            "ACADEMY_EXERCISES_DIR": str(exercises),
            "ACADEMY_KERNEL_POOL": kernels,
            "ACADEMY_GRADING_WORKERS": workers,
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


def submit(client, exercise: str, data: bytes) -> int:
    """Upload through the real endpoint, as the exercise page does; the submission's id."""
    response = client.post(
        f"/exercises/{exercise}/submissions",
        data={"notebook": (io.BytesIO(data), "mine.ipynb")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.status_code
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def wait_finished(app, ids: list[int]) -> dict[int, float]:
    """Wait until every submission is graded; when each finished (Unix time, from the DB).

    The finish times come from the submissions themselves, so the benchmark
    needs to poll only now and then: polling every page's status endpoint
    every few milliseconds would spend the very CPU the grader needs.
    """
    with app.app_context():
        while True:
            rows = db.session.execute(
                select(Submission.id, Submission.status, Submission.finished_at).where(
                    Submission.id.in_(ids)
                )
            ).all()
            db.session.rollback()  # a fresh snapshot next time
            if all(status in ("graded", "error") for _, status, _ in rows):
                failed = [i for i, status, _ in rows if status != "graded"]
                if failed:
                    raise SystemExit(f"submissions {failed} could not be graded")
                return {i: finished.timestamp() for i, _, finished in rows}
            time.sleep(0.1)


def cpu_seconds() -> float:
    """CPU time the whole machine has spent (user + system, all processes), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def run(app, client, exercise: str, data: bytes, batch: int, idle_runs: int) -> dict:
    """Idle latency (one at a time, pool refilled), then a batch submitted at once."""
    client.get(f"/exercises/{exercise}")  # a learner opens the page first: kernels start booting
    idle = []
    for _ in range(idle_runs):
        time.sleep(1.5)  # let the pool boot its replacement kernels
        start = time.time()
        finished = wait_finished(app, [submit(client, exercise, data)])
        idle.append(next(iter(finished.values())) - start)
    time.sleep(2.0)
    cpu_before = cpu_seconds()
    begin = time.time()
    starts = {}
    for _ in range(batch):
        start = time.time()
        starts[submit(client, exercise, data)] = start
    finished = wait_finished(app, list(starts))
    total = max(finished.values()) - begin
    cpu = cpu_seconds() - cpu_before
    latencies = [finished[i] - starts[i] for i in starts]
    return {
        "idle_p50_s": round(percentile(idle, 0.5), 3),
        "idle_p95_s": round(percentile(idle, 0.95), 3),
        "batch": batch,
        "batch_p50_s": round(percentile(latencies, 0.5), 3),
        "batch_p95_s": round(percentile(latencies, 0.95), 3),
        "throughput_per_s": round(batch / total, 2),
        "cpu_s_per_notebook": round(cpu / batch, 2),
    }


@click.command()
@click.option("--batch", default=10, show_default=True)
@click.option("--idle-runs", default=10, show_default=True)
@click.option("--kernels", default=2, show_default=True, help="Warm kernels per process.")
@click.option("--workers", default=2, show_default=True, help="Grading threads.")
@click.option(
    "--nbgrader",
    "nbgrader",
    type=click.Path(path_type=Path),
    default=DEFAULT_NBGRADER,
    show_default=True,
    help="nbgrader's command, installed in an environment of its own.",
)
@click.option("--out", type=click.Path(path_type=Path), default=None)
def main(
    batch: int, idle_runs: int, kernels: int, workers: int, nbgrader: Path, out: Path | None
) -> None:
    """Grade trivial and lake exercises end to end, then nbgrader; report the figures."""
    if not nbgrader.exists():
        raise click.UsageError(f"{nbgrader} not found: run `make bench-grading`, or --nbgrader")
    workdir = Path(tempfile.mkdtemp(prefix="academy-grading-bench-"))
    lake = build_lake(workdir / "lake", seed=42, scale=1).lake
    exercises = workdir / "exercises"
    write_trivial(exercises)
    app = make_site(workdir, lake, exercises, kernels, workers)
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
        report[name] = run(app, client, exercise, data, batch, idle_runs)
        click.echo(f"{name}: {report[name]}")
    app.extensions["grading_queue"].shutdown()
    app.extensions["kernel_pool"].close()  # nbgrader gets the machine to itself
    report["nbgrader autograde (trivial)"] = run_autograde(nbgrader, workdir, batch)
    click.echo(f"nbgrader autograde (trivial): {report['nbgrader autograde (trivial)']}")
    ratio = (
        report["trivial"]["throughput_per_s"]
        / report["nbgrader autograde (trivial)"]["throughput_per_s"]
    )
    report["throughput_ratio_vs_nbgrader"] = round(ratio, 2)
    click.echo(f"throughput, trivial exercise: {ratio:.2f}x nbgrader's")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""The grading benchmark itself; ``bench/grading.py`` is its command (see there)."""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import click
from sqlalchemy import select

from app import create_app
from app.config import PROJECT_ROOT
from app.extensions import db
from app.grading.models import Submission
from app.grading.runtime import POOL_KEY
from app.lake.pipeline.build import build_lake
from bench.cpu import CpuMeter
from bench.nbgrader_baseline import autograde, prepare_split, verify
from bench.pages import percentile

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


def wait_pool_full(app, timeout: float = 300) -> None:
    """Wait until the warm-kernel pool holds as many booted kernels as it keeps."""
    pool = app.extensions[POOL_KEY].pool
    end = time.monotonic() + timeout
    while pool is not None and pool.ready_count() < pool.size and time.monotonic() < end:
        time.sleep(0.05)


def idle(app, client, exercise: str, data: bytes, runs: int) -> dict:
    """One submission at a time, the pool full each time: latency p50 and p95."""
    client.get(f"/exercises/{exercise}")  # a learner opens the page first: kernels start booting
    latencies = []
    for _ in range(runs):
        wait_pool_full(app)
        start = time.time()
        finished = wait_finished(app, [submit(client, exercise, data)])
        latencies.append(next(iter(finished.values())) - start)
    return {
        "idle_p50_s": round(percentile(latencies, 0.5), 3),
        "idle_p95_s": round(percentile(latencies, 0.95), 3),
    }


def ours(app, client, exercise: str, data: bytes, batch: int, meter: CpuMeter) -> dict:
    """``batch`` uploads at once: throughput, latency, and CPU per notebook (boots included)."""
    wait_pool_full(app)
    cpu_before = meter.seconds()
    begin = time.time()
    starts = {}
    for _ in range(batch):
        start = time.time()
        starts[submit(client, exercise, data)] = start
    finished = wait_finished(app, list(starts))
    total = max(finished.values()) - begin
    wait_pool_full(app)
    cpu = meter.seconds() - cpu_before
    latencies = [finished[i] - starts[i] for i in starts]
    return {
        "batch": batch,
        "seconds": round(total, 2),
        "p50_s": round(percentile(latencies, 0.5), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "throughput_per_s": round(batch / total, 2),
        "cpu_s_per_notebook": round(cpu / batch, 3),
    }


def theirs(nbgrader: Path, workdir: Path, batch: int, processes: int, meter: CpuMeter) -> dict:
    """nbgrader's autograde on ``batch`` notebooks over ``processes`` processes; its CPU."""
    courses = prepare_split(nbgrader, workdir, batch, processes)  # not timed
    cpu_before = meter.seconds()
    total = autograde(nbgrader, courses)
    cpu = meter.seconds() - cpu_before
    verify(nbgrader, courses)
    for course in courses:
        shutil.rmtree(course, ignore_errors=True)
    return {
        "batch": batch,
        "processes": processes,
        "seconds": round(total, 2),
        "throughput_per_s": round(batch / total, 2),
        "cpu_s": round(cpu, 3),
    }


def side_by_side(app, client, case, nbgrader, workdir, batch, workers, meter, order) -> dict:
    """One round: the site's batch and nbgrader's, in ``order``; their figures and ratios."""
    exercise, data = case
    runs = {}
    for side in order:
        if side == "ours":
            runs["ours"] = ours(app, client, exercise, data, batch, meter)
        else:
            runs["nbgrader"] = theirs(nbgrader, workdir, batch, workers, meter)
            runs["nbgrader_one"] = theirs(nbgrader, workdir, 1, 1, meter)
    one, many = runs["nbgrader_one"]["cpu_s"], runs["nbgrader"]["cpu_s"]
    # Each nbgrader process pays a fixed cost f and each notebook a marginal m:
    # one = f + m and many = P*f + N*m, so m = (many - P*one) / (N - P).
    marginal = (many - workers * one) / (batch - workers) if batch > workers else None
    runs["nbgrader"]["cpu_s_per_notebook"] = round(many / batch, 3)
    runs["nbgrader"]["marginal_cpu_s_per_notebook"] = (
        None if marginal is None else round(marginal, 3)
    )
    runs["throughput_ratio"] = round(
        runs["ours"]["throughput_per_s"] / runs["nbgrader"]["throughput_per_s"], 2
    )
    if marginal:
        runs["cpu_vs_nbgrader_marginal"] = round(runs["ours"]["cpu_s_per_notebook"] / marginal, 2)
    runs["order"] = list(order)
    runs["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return runs


def summary(rounds: list[dict]) -> dict:
    """Medians over the rounds, with each figure's range."""

    def figure(values: list[float]) -> dict:
        return {"median": round(statistics.median(values), 3), "min": min(values),
                "max": max(values)}  # fmt: skip

    found = {
        "throughput_ratio": figure([r["throughput_ratio"] for r in rounds]),
        "ours_throughput_per_s": figure([r["ours"]["throughput_per_s"] for r in rounds]),
        "nbgrader_throughput_per_s": figure([r["nbgrader"]["throughput_per_s"] for r in rounds]),
        "ours_cpu_s_per_notebook": figure([r["ours"]["cpu_s_per_notebook"] for r in rounds]),
    }
    marginals = [r["nbgrader"]["marginal_cpu_s_per_notebook"] for r in rounds]
    if all(m is not None for m in marginals):
        found["nbgrader_marginal_cpu_s_per_notebook"] = figure(marginals)
        found["cpu_vs_nbgrader_marginal"] = figure([r["cpu_vs_nbgrader_marginal"] for r in rounds])
    return found


@click.command()
@click.option("--rounds", default=3, show_default=True, help="Side-by-side rounds of a batch.")
@click.option("--batch", default=10, show_default=True)
@click.option("--burst", default=60, show_default=True, help="A class burst (0: none).")
@click.option("--idle-runs", default=10, show_default=True)
@click.option("--kernels", default=2, show_default=True, help="Warm kernels per process.")
@click.option(
    "--workers", default=2, show_default=True, help="Grading threads (and nbgrader's processes)."
)
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
    rounds: int,
    batch: int,
    burst: int,
    idle_runs: int,
    kernels: int,
    workers: int,
    nbgrader: Path,
    out: Path | None,
) -> None:
    """Idle latency, then the site beside nbgrader in alternating rounds, then a burst."""
    # Absolute: nbgrader runs in each course's folder, not here.
    nbgrader = nbgrader.absolute()
    if not nbgrader.exists():
        raise click.UsageError(f"{nbgrader} not found: run `make bench-grading`, or --nbgrader")
    meter = CpuMeter()
    workdir = Path(tempfile.mkdtemp(prefix="academy-grading-bench-"))
    app = None
    report: dict = {"cpus": os.cpu_count(), "cpu_measured_by": meter.method,
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    try:
        lake = build_lake(workdir / "lake", seed=42, scale=1).lake
        exercises = workdir / "exercises"
        write_trivial(exercises)
        app = make_site(workdir, lake, exercises, kernels, workers)
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.com", "password": "benchmark-password"})
        trivial = ("trivial", (exercises / "trivial" / "solution.ipynb").read_bytes())
        lake_case = (
            "sq101-first-queries",
            (exercises / "sq101-first-queries" / "solution.ipynb").read_bytes(),
        )
        report["idle"] = {
            "trivial": idle(app, client, *trivial, idle_runs),
            "lake (sq101-first-queries)": idle(app, client, *lake_case, idle_runs),
        }
        click.echo(f"idle: {report['idle']}")
        report["lake batch (ours)"] = ours(app, client, *lake_case, batch, meter)
        click.echo(f"lake batch: {report['lake batch (ours)']}")
        report["rounds"] = []
        for number in range(rounds):
            order = ("ours", "nbgrader") if number % 2 == 0 else ("nbgrader", "ours")
            found = side_by_side(app, client, trivial, nbgrader, workdir, batch, workers, meter,
                                 order)  # fmt: skip
            report["rounds"].append(found)
            click.echo(f"round {number + 1}: {found}")
        report["summary"] = summary(report["rounds"])
        click.echo(f"summary: {report['summary']}")
        if burst:
            found = side_by_side(app, client, trivial, nbgrader, workdir, burst, workers, meter,
                                 ("ours", "nbgrader"))  # fmt: skip
            report["burst"] = found
            click.echo(f"burst of {burst}: {found}")
    finally:
        if app is not None:
            app.extensions["grading_queue"].shutdown()
            app.extensions[POOL_KEY].close()
        meter.close()
        shutil.rmtree(workdir, ignore_errors=True)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")

"""Warm kernels: the pool matches only runs its kernels suit, and hands each kernel out once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.grading.sandbox import execute
from app.grading.sandbox.contract import COMPLETED, Limits
from app.grading.sandbox.pool import KernelPool
from tests.grading.support import answer, text


def test_pool_fits_only_its_lake_and_kernel_limits(tmp_path: Path):
    pool = KernelPool(tmp_path, Limits(), size=1, sandbox="fallback")
    assert pool.fits(tmp_path, Limits(cell_seconds=3, total_seconds=9), "auto")
    assert not pool.fits(tmp_path / "other", Limits(), "auto")
    assert not pool.fits(tmp_path, Limits(memory_mb=64), "auto")
    assert not pool.fits(tmp_path, Limits(), "bwrap")
    pool.close()


def _wait_until_full(pool: KernelPool, timeout_s: float = 10) -> None:
    """Wait until every kernel of the pool has booted (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while pool.ready_count() < pool.size and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
def test_the_pool_never_reuses_a_kernel(run, pool):
    first = run("import os\nopen('/scratch/mark', 'w').write('x')\nprint(os.getuid())")
    second = run("import os\nprint(os.path.exists('/scratch/mark'), os.getuid())")
    assert second.notebook.cells[0].outputs[0].text.split()[0] == "False"
    assert text(first, 0).strip() != text(second, 0).split()[1]
    _wait_until_full(pool)
    assert pool.ready_count() == pool.size


@pytest.mark.slow
def test_a_run_takes_a_kernel_the_pool_booted_beforehand(run, pool, monkeypatch):
    """With a warm pool a run never boots a kernel of its own (its latency: bench/grading.py)."""
    _wait_until_full(pool)
    taken = []
    take = pool.take

    def spy_take():
        kernel = take()
        taken.append(kernel)
        return kernel

    def cold_start(*args, **kwargs):
        raise AssertionError("the run started a kernel of its own")

    monkeypatch.setattr(pool, "take", spy_take)
    monkeypatch.setattr(execute, "start_kernel", cold_start)
    execution = run("import os\nprint(os.getuid())", "answer = 6 * 7")
    [kernel] = taken
    assert kernel is not None  # a kernel that was waiting, booted, in the pool
    assert int(text(execution, 0)) == kernel.uid  # ran the notebook
    assert execution.status == COMPLETED and answer(execution) == 42

"""Run a learner's notebook: the grader's hidden setup cell, the learner's cells, hidden export.

The kernel is fresh for every run (from the pool when one is ready, else
started now) and is killed afterwards whatever happened. Learner cells run
with errors allowed, so a learner is graded on the questions they did answer;
the export cell runs unless the run was stopped (timeout, dead kernel, output
flood), in which case no answers are collected at all.

Every run starts with an empty /scratch: grading never sees or changes the
learner's playground scratch files, and nothing a run writes is kept except
the exported answers.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from app.grading.sandbox import cgroup, report
from app.grading.sandbox.cells import seal_source
from app.grading.sandbox.client import (
    CappedClient,
    adopt,
    new_context,
    note,
    watch_dropped_output,
)
from app.grading.sandbox.command import choose_sandbox
from app.grading.sandbox.contract import (
    AUTO,
    CELL_TIMEOUT,
    COMPLETED,
    KERNEL_DIED,
    MEMORY,
    TOTAL_TIMEOUT,
    Execution,
    ExecutorError,
    Limits,
    SetupFailed,
)
from app.grading.sandbox.copyout import copy_answers
from app.grading.sandbox.kernel import (
    SandboxedKernel,
    answers_source,
    boot_log,
    freeze,
    is_alive,
    lock_ipc_dir,
    start_kernel,
    stop_kernel,
)
from app.grading.sandbox.pool import KernelPool

log = logging.getLogger(__name__)

BOOT_TIMEOUT_S = 30.0
HIDDEN = "academy_hidden"  # marks the grader's cells in the working copy, for debugging


@dataclass
class _Run:
    """How the cells went, in working-notebook indices (0 is the setup cell)."""

    status: str = COMPLETED
    stopped_at: int | None = None
    exported: bool = False
    export_error: str | None = None
    oom_kills: int = 0  # processes ended by the kernel's memory cgroup


def execute(
    notebook: NotebookNode,
    *,
    lake_dir: Path,
    work_dir: Path,
    limits: Limits,
    setup_source: str,
    export_source: str,
    scratch_dir: Path | None = None,
    sandbox: str = AUTO,
    pool: KernelPool | None = None,
) -> Execution:
    """Run ``notebook`` in a fresh sandboxed kernel and collect its exported answers.

    ``scratch_dir`` is accepted for symmetry with the playground but never
    mounted: each run gets an empty /scratch. Answers land in
    ``work_dir/answers`` (emptied first). Must not be called from a running
    event loop. Raises SandboxUnavailable, SetupFailed or ExecutorError for
    problems that are not the learner's.
    """
    started = time.monotonic()
    answers_dir = work_dir / "answers"
    shutil.rmtree(answers_dir, ignore_errors=True)
    answers_dir.mkdir(parents=True)
    working = _with_hidden_cells(notebook, setup_source, export_source)
    kernel = _kernel_for(lake_dir, limits, sandbox, pool)
    notes: list[str] = []
    try:
        run = _run_to_completion(_drive(kernel, working, limits))
        if run.exported:
            freeze(kernel)  # nothing may change /answers while we read it
            notes = copy_answers(
                answers_source(kernel), answers_dir, limits.answer_bytes, limits.max_answers
            )
        # Read before the cgroup goes: processes its memory cap ended.
        run.oom_kills = cgroup.oom_kills(kernel.cgroup) if kernel.cgroup else 0
    finally:
        stop_kernel(kernel)
    return _result(working, run, kernel, answers_dir, notes, limits, started)


def _kernel_for(
    lake_dir: Path, limits: Limits, sandbox: str, pool: KernelPool | None
) -> SandboxedKernel:
    """A ready kernel from the pool when it fits this run, else a newly started one."""
    if pool is not None and pool.fits(lake_dir, limits, sandbox):
        kernel = pool.take()
        if kernel is not None:
            return kernel
    return start_kernel(lake_dir, limits, choose_sandbox(sandbox))


def _with_hidden_cells(nb: NotebookNode, setup: str, export: str) -> NotebookNode:
    """A copy of the learner's notebook between the grader's setup and export cells."""
    working = copy.deepcopy(nb)
    for cell in working.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    # Sealed first, so nothing the learner wrote runs with connect() allowed.
    setup = seal_source() + setup
    hidden = [new_code_cell(source, metadata={HIDDEN: True}) for source in (setup, export)]
    working.cells = [hidden[0], *working.cells, hidden[1]]
    return working


async def _drive(kernel: SandboxedKernel, nb: NotebookNode, limits: Limits) -> _Run:
    """Connect to the kernel, wait until it answers, then run every cell."""
    context = new_context(limits.output_bytes)
    manager = adopt(kernel, context)
    kc = manager.client(context=context)
    kc.start_channels(hb=False)  # liveness comes from the process, not a heartbeat
    try:
        await _wait_ready(kc, kernel)
        lock_ipc_dir(kernel)
        client = CappedClient(
            nb,
            limits.output_bytes,
            km=manager,
            allow_errors=True,
            timeout_func=lambda _cell: limits.cell_seconds,
            iopub_timeout=2,
            record_timing=False,
        )
        client.kc = kc
        watcher = asyncio.create_task(watch_dropped_output(kc, client, kernel))
        try:
            return await _run_cells(client, nb, limits)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
    finally:
        kc.stop_channels()
        context.destroy(linger=0)


async def _wait_ready(kc: AsyncKernelClient, kernel: SandboxedKernel) -> None:
    """Wait until the kernel answers and its IOPub messages reach us.

    jupyter_client's wait_for_ready does the same and then waits 0.2 s more
    for IOPub to fall silent, a third of a warm grade's time.
    """
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    while time.monotonic() < deadline:
        msg_id = kc.kernel_info()
        if await _answered(kc.shell_channel, msg_id, 1.0) and await _answered(
            kc.iopub_channel, msg_id, 0.1
        ):
            return
        if not is_alive(kernel):
            break
    raise ExecutorError(f"the kernel did not start:\n{boot_log(kernel)}")


async def _answered(channel: Any, msg_id: str, wait_s: float) -> bool:
    """Whether ``channel`` brings the reply to ``msg_id`` (or, on IOPub, its idle) in time."""
    end = time.monotonic() + wait_s
    while (left := end - time.monotonic()) > 0:
        try:
            msg = await channel.get_msg(timeout=left)
        except Empty:
            return False
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] != "status" or msg["content"].get("execution_state") == "idle":
            return True
    return False


async def _run_cells(client: CappedClient, nb: NotebookNode, limits: Limits) -> _Run:
    """Execute the cells in order until one stops the run; note where and why."""
    run = _Run()
    last = len(nb.cells) - 1
    deadline = asyncio.get_running_loop().call_later(
        limits.total_seconds, client.stop, TOTAL_TIMEOUT
    )
    try:
        for index, cell in enumerate(nb.cells):
            status = client.stop_reason or await _run_cell(client, cell, index, 0 < index < last)
            if status is not None and index == 0:
                raise SetupFailed(f"the setup cell did not finish ({status})")
            if status is not None:
                run.status, run.stopped_at = status, index
                break
            if index == 0 and (error := report.error_of(cell)) is not None:
                raise SetupFailed(f"the setup cell raised {_error_text(error)}")
        else:
            run.exported = True
            error = report.error_of(nb.cells[last])
            run.export_error = None if error is None else _error_text(error)
    finally:
        deadline.cancel()
    return run


async def _run_cell(
    client: CappedClient, cell: NotebookNode, index: int, learners: bool
) -> str | None:
    """Run one cell; None if the run may go on, else the status that ends it."""
    try:
        # Hidden cells stay out of the history, so learners' cells are numbered from 1.
        await client.async_execute_cell(cell, index, store_history=learners)
    except CellTimeoutError:
        return client.stop_reason or CELL_TIMEOUT
    except DeadKernelError:
        return client.stop_reason or KERNEL_DIED
    except Exception:  # noqa: BLE001 - e.g. a forged message that fails to parse
        # The kernel runs the learner's code and holds the signing key, so it can
        # send anything; whatever breaks the client ends the run, not the grader.
        log.exception("running cell %s failed on our side; stopping the run", index)
        return client.stop_reason or KERNEL_DIED
    # The cap can be hit by the last outputs, after the cell already finished.
    return client.stop_reason


def _error_text(error: dict) -> str:
    """``NameError: name 'x' is not defined``, shortened."""
    return f"{error.get('ename', 'Error')}: {str(error.get('evalue', ''))[:300]}"


def _result(
    working: NotebookNode,
    run: _Run,
    kernel: SandboxedKernel,
    answers_dir: Path,
    notes: list[str],
    limits: Limits,
    started: float,
) -> Execution:
    """The learner's notebook without the hidden cells, and the status and message."""
    if run.status == KERNEL_DIED and run.oom_kills:
        run.status = MEMORY  # the kernel was ended by its memory cap, not by a bug
    if run.stopped_at is not None and (text := report.stopped_note(run.status, limits)):
        working.cells[run.stopped_at].setdefault("outputs", []).append(note(text))
    learner_nb = copy.copy(working)
    # By position, not by the marker: a learner's cell may carry any metadata.
    learner_nb.cells = working.cells[1:-1]
    failed = report.failed_cells(learner_nb)
    status, cell = run.status, None
    if run.stopped_at is not None:
        cell = run.stopped_at - 1 if 0 < run.stopped_at <= len(learner_nb.cells) else None
    elif (out_of_memory := report.ran_out_of_memory(learner_nb)) is not None:
        status, cell = MEMORY, out_of_memory
    message = report.explain(status, cell, failed, limits, stopped=run.stopped_at is not None)
    if run.oom_kills and status != MEMORY:
        message += (
            f" A process your notebook started went over the memory limit "
            f"({limits.memory_mb} MB) and was stopped."
        )
    if run.export_error:
        message += f" Your answers could not all be saved ({run.export_error})."
    if notes:
        message += " " + "; ".join(notes).capitalize() + "."
    return Execution(
        notebook=learner_nb,
        answers_dir=answers_dir,
        status=status,
        failed_cells=failed,
        message=message,
        sandbox=kernel.mode,
        elapsed_s=time.monotonic() - started,
    )


def _run_to_completion(coroutine):
    """Run the driving coroutine in an event loop of its own.

    A caller that already has a loop running in this thread (Playwright's sync
    API in the browser tests, or an async web worker) can't use asyncio.run,
    so the coroutine gets a short-lived thread of its own there.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grading-loop") as runner:
        return runner.submit(asyncio.run, coroutine).result()

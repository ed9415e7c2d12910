"""Real runs of the sandboxed executor: answers, confinement, the fallback.

Hostile notebooks are in test_hostile.py, the warm pool in test_pool.py. bubblewrap is required:
without it the sandboxed tests fail on CI (which installs it) and are skipped
elsewhere, like the browser tests without Chromium; the fallback tests run
everywhere.
"""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from app.grading.sandbox.command import UID_COUNT, UID_FIRST
from app.grading.sandbox.contract import COMPLETED, MEMORY, SetupFailed
from app.grading.sandbox.execute import execute
from tests.grading.support import (
    EXPORT,
    ROOMY,
    SETUP,
    answer,
    fingerprint,
    text,
)

pytestmark = [pytest.mark.slow]


def test_a_notebook_runs_and_exports_its_answer(run):
    execution = run(
        "answer = lake.execute('SELECT sum(n) FROM numbers').fetchall()[0][0]",
        "print(lake.execute('SELECT count(*) FROM csv_numbers').fetchall()[0][0])",
        "1 / 0",
        "print('still running')",
    )
    assert execution.status == COMPLETED
    assert execution.sandbox == "bwrap"
    assert execution.failed_cells == [2]
    assert execution.message == "Cell 3 raised an error; the other cells ran."
    assert answer(execution) == 45
    assert text(execution, 1) == "3\n"  # the view's absolute host path resolves
    assert text(execution, 3) == "still running\n"
    assert len(execution.notebook.cells) == 4  # the hidden cells are gone
    assert execution.notebook.cells[0].execution_count == 1


def test_the_kernel_is_confined(run, site, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "web-secret")
    execution = run(
        "import os, sys; print(os.getuid(), os.getgid(), os.getgroups())",
        "print(sorted(os.environ))",
        "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])",
        "print('_academy_preload' in dir(), 'pandas' in sys.modules, os.getcwd())",
    )
    uid, gid, groups = text(execution, 0).split(" ", 2)
    assert UID_FIRST <= int(uid) < UID_FIRST + UID_COUNT and uid == gid
    assert groups.strip() == "[]"
    env = text(execution, 1)
    assert "SECRET_KEY" not in env and "DATABASE_URL" not in env and "ACADEMY_LAKE" in env
    assert text(execution, 2).strip() == "0000000000000000"
    assert text(execution, 3) == "False True /scratch\n"


def test_a_broken_setup_cell_is_the_graders_problem(run):
    with pytest.raises(SetupFailed, match="ZeroDivisionError"):
        run("answer = 1", setup="1 / 0")


def test_the_fallback_runs_with_limits(site, tmp_path):
    """Without bubblewrap: the same limits, a scrubbed environment, and it says so."""
    before = fingerprint(site["root"])
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Fallback"),
            new_code_cell("answer = lake.execute('SELECT max(n) FROM numbers').fetchall()[0][0]"),
            new_code_cell("import os\nprint(os.getuid(), 'SECRET_KEY' in os.environ)"),
            new_code_cell("print(open(os.environ['ACADEMY_LAKE'] + '/raw/numbers.csv', 'a'))"),
            new_code_cell("x = bytearray(10**10)"),
        ]
    )
    execution = execute(
        nb,
        lake_dir=site["lake"],
        work_dir=tmp_path / "work",
        limits=ROOMY,  # the memory cap, not a busy machine's clock, ends it
        setup_source=SETUP,
        export_source=EXPORT,
        sandbox="fallback",
    )
    assert execution.sandbox == "fallback"
    assert execution.status == MEMORY and execution.failed_cells == [3, 4]
    assert answer(execution) == 9
    uid, has_secret = text(execution, 2).split()
    assert int(uid) >= UID_FIRST and has_secret == "False"
    assert text(execution, 3).startswith("PermissionError")
    assert fingerprint(site["root"]) == before

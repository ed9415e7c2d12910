"""The grader's hidden cells: the set-up run first in the learner's kernel, the export last.

The kernel-side code is ``app/lake/lockdown.py`` (the same locked connection
the playground and the grader open, set up first) and ``inside/export.py``
(last). It is sent as text, because the app itself is not importable in the
kernel, and each file is run by ``exec`` in a namespace of its own.

The kernel finds its folders in the environment the executor gives it:
``ACADEMY_LAKE`` (the lake's build folder, read-only, at the same absolute path
as on the server), ``ACADEMY_SCRATCH`` (writable; the learner's ``user.duckdb``)
and ``ACADEMY_ANSWERS`` (writable; where the answers are exported).
"""

from __future__ import annotations

import importlib.util
import platform
from pathlib import Path

from app.grading.exercises.authored import Exercise
from app.grading.grader.bounds import MAX_JSON_BYTES, MAX_TABLE_BYTES
from app.grading.sandbox import seccomp

INSIDE = Path(__file__).parent / "inside"  # the kernel-side files
# Found, not imported: a learner's JupyterLab server builds the set-up too, and should
# not load DuckDB to do it.
LOCKDOWN = Path(importlib.util.find_spec("app.lake.lockdown").origin)
ENV_LAKE = "ACADEMY_LAKE"
ENV_SCRATCH = "ACADEMY_SCRATCH"
ENV_ANSWERS = "ACADEMY_ANSWERS"


def _kernel_code(path: Path) -> str:
    """The text of one file that runs in the kernel."""
    return path.read_text(encoding="utf-8")


def duckdb_memory_limit(memory_mb: int) -> str:
    """DuckDB's share of the kernel's memory: half, leaving room for pandas and Python."""
    return f"{max(64, memory_mb // 2)}MB"


def seal_source() -> str:
    """Run before the set-up: ``inside/seal.py`` refuses connect() from here on ("" on an
    unknown CPU, where only bubblewrap's empty network namespace stands)."""
    code = seccomp.seal_program()
    if code is None:
        return ""
    call = f"seal(bytes.fromhex({code.hex()!r}), {seccomp.SECCOMP_SYSCALL[platform.machine()]})"
    source = _kernel_code(INSIDE / "seal.py") + "\n" + call + "\n"
    return (
        "# Set up by the Data Academy grader: this kernel makes no connections.\n"
        f"exec({source!r}, {{'__name__': 'academy_seal'}})\n"
    )


def setup_source(exercise: Exercise) -> str:
    """Run first in the kernel: ``lake`` (a locked DuckDB on the lake) and ``pd`` (pandas)."""
    return lake_source(exercise.limits.memory_mb)


# pandas, which imports pyarrow, is ~80 MB resident: a graded kernel has it preloaded
# (command.PRELOAD), a JupyterLab kernel loads it on first use, so an idle one is small.
# LazyLoader is the standard library's: the module runs when an attribute is first read.
_PANDAS = (
    "if 'pandas' in _academy_sys.modules:\n"
    "    import pandas as pd\n"
    "else:\n"
    "    _academy_spec = _academy_util.find_spec('pandas')\n"
    "    _academy_spec.loader = _academy_util.LazyLoader(_academy_spec.loader)\n"
    "    pd = _academy_util.module_from_spec(_academy_spec)\n"
    "    _academy_sys.modules['pandas'] = pd\n"
    "    _academy_spec.loader.exec_module(pd)\n"
    "    del _academy_spec\n"
)


def lake_source(memory_mb: int) -> str:
    """The set-up for a kernel allowed ``memory_mb``: opens ``lake``, gives ``pd``
    (pandas, imported already or on first use)."""
    memory = duckdb_memory_limit(memory_mb)
    return (
        "# Set up by the Data Academy grader: `lake` is a read-only connection to the lake.\n"
        "import importlib.util as _academy_util\n"
        "import os as _academy_os\n"
        "import sys as _academy_sys\n"
        "\n"
        "import duckdb\n"
        "\n"
        f"{_PANDAS}"
        "\n"
        "_academy_setup = {'__name__': 'academy_setup'}\n"
        f"exec({_kernel_code(LOCKDOWN)!r}, _academy_setup)\n"
        "lake = _academy_setup['connect_in_kernel'](\n"
        f"    _academy_os.environ[{ENV_LAKE!r}],\n"
        f"    _academy_os.environ[{ENV_SCRATCH!r}],\n"
        f"    {memory!r},\n"
        ")\n"
        "del _academy_setup, _academy_os, _academy_sys, _academy_util\n"
    )


def workspace_setup_source(memory_mb: int) -> str:
    """What a JupyterLab kernel runs as it starts: what a graded one runs first (the seal,
    then the set-up), so a cell that works in JupyterLab works when graded."""
    return seal_source() + lake_source(memory_mb)


def export_source(exercise: Exercise) -> str:
    """Run last in the kernel: write each ``answer_<id>`` to ``$ACADEMY_ANSWERS``.

    ``import builtins`` and attribute access on it are used throughout because
    the learner's notebook may have rebound any global name, even ``exec``.
    """
    ids = [q.id for q in exercise.questions]
    call = (
        f"export(LEARNER, {ids!r}, __import__('os').environ[{ENV_ANSWERS!r}], "
        f"{MAX_JSON_BYTES}, {MAX_TABLE_BYTES})"
    )
    code = _kernel_code(INSIDE / "export.py") + "\n" + call + "\n"
    return (
        "# Run by the Data Academy grader: save your answers for checking.\n"
        "import builtins as _academy_builtins\n"
        "\n"
        "_academy_builtins.exec(\n"
        f"    {code!r},\n"
        "    {\n"
        "        '__builtins__': _academy_builtins,\n"
        "        '__name__': 'academy_export',\n"
        "        'LEARNER': _academy_builtins.globals(),\n"
        "    },\n"
        ")\n"
    )

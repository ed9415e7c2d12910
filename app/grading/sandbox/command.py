"""Build the command line that starts a kernel inside bubblewrap, or the weaker fallback.

The command is three programs, each doing one job, then the kernel:

1. ``prlimit`` sets the resource limits (address space, processes, file size,
   open files, CPU time, no core dumps); every process in the sandbox inherits
   them.
2. ``bwrap`` builds the sandbox: new PID, network, IPC, UTS and cgroup
   namespaces (no network at all, only loopback inside an empty namespace), a
   root file system holding only /usr, the Python installation, the lake
   (read-only), in-memory /tmp, /scratch and /answers of a fixed size, and
   the directory of the kernel's IPC sockets. Nothing of the app, its instance
   folder or other learners' files is mounted.
3. ``setpriv`` switches to a uid of its own, unique to this kernel, and drops
   every capability. As root ``RLIMIT_NPROC`` is not enforced at all, and
   bwrap's user namespace would map the sandbox's uid back to root outside
   (where the limit is still skipped); a real unprivileged uid makes the
   process limit hold. Being unique, it also means a kernel cannot signal or
   ptrace another one, and one kernel's fork bomb does not eat another's quota.

Without bubblewrap (``fallback``) 1 and 3 apply, and in place of 2 the kernel's
first program is ``inside/wall.py``: Landlock lets it read only the Python
installation, the system files it needs and the lake, and write only its run
folder (so the exercises, the instance folder and the app are out of reach),
and the seccomp filter refuses network sockets and connect(). Namespaces, the
in-memory mounts and a private /proc remain bubblewrap's alone.
"""

from __future__ import annotations

import functools
import math
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from app import landlock
from app.grading.sandbox.contract import (
    ANSWERS_PATH,
    AUTO,
    BWRAP,
    FALLBACK,
    LAKE_PATH,
    SCRATCH_PATH,
    WORKSPACE_PATH,
    Limits,
    SandboxUnavailable,
    Workspace,
)

BWRAP_PATH = "/usr/bin/bwrap"
IPC_PATH = "/ipc"
# Address space ipykernel, pandas, pyarrow and DuckDB reserve without using it
# (measured: ~650 MB of address space for ~185 MB resident). RLIMIT_AS limits
# address space, not memory, so the notebook's own allowance comes on top.
ADDRESS_SPACE_OVERHEAD_MB = 768
# What that same kernel holds resident, with room to spare: its memory cgroup's
# cap is this plus the notebook's allowance (see kernel.cgroup_bytes).
RESIDENT_OVERHEAD_MB = 256
OPEN_FILES = 512
# What the grader's setup and export cells import: loaded while the kernel boots
# (in the background, for a pooled kernel) they take ~0.4 s off a warm grade.
PRELOAD = ("duckdb", "pandas", "pyarrow")
# Kernels run as a random uid from this range: far above real accounts and the
# usual subordinate-uid ranges (/etc/subuid starts at 100000, 65536 per user).
UID_FIRST, UID_COUNT = 1_500_000_000, 500_000_000
# A learner's JupyterLab kernels run as this plus their hub user id: one uid each, the
# same for all their kernels (what one writes in their workspace the next may change),
# and below the graders' range.
LEARNER_UID_FIRST = 1_000_000_000
# What a fallback kernel may read besides the Python installation and the lake:
# programs and libraries, the linker cache, time zones, account names, /proc
# (Landlock keeps other processes' /proc/<pid> files out of reach) and what
# DuckDB reads to size itself. Nothing here is secret.
FALLBACK_READS = (
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
    "/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
    "/proc", "/sys/devices/system/cpu", "/sys/fs/cgroup", "/dev/urandom", "/dev/random",
    "/dev/zero",
)  # fmt: skip
FALLBACK_WRITES = ("/dev/null",)
WALL = Path(__file__).parent / "inside" / "wall.py"
# Host directories that are the sandbox's own mounts: nothing may be bound inside them.
_RESERVED = (
    "/usr", "/proc", "/dev", "/etc",
    IPC_PATH, SCRATCH_PATH, ANSWERS_PATH, LAKE_PATH, WORKSPACE_PATH, "/cgroup", "/.stage",
)  # fmt: skip


def pick_uid() -> int:
    """A fresh uid (and gid) for one kernel."""
    return UID_FIRST + secrets.randbelow(UID_COUNT)


def can_switch_uid() -> bool:
    """Whether we may run kernels as another uid (only root may)."""
    return os.geteuid() == 0


@functools.cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot be used here, or None when a trial sandbox ran."""
    if not os.path.exists(BWRAP_PATH):
        return f"{BWRAP_PATH} is not installed (Debian package bubblewrap)"
    trial = [BWRAP_PATH, *_namespace_args(), *_system_args(), "--", "/usr/bin/true"]
    try:
        done = subprocess.run(trial, capture_output=True, timeout=10, env={}, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to start: {exc}"
    if done.returncode != 0:
        return f"bubblewrap does not work here: {done.stderr.decode(errors='replace').strip()}"
    return None


def choose_sandbox(requested: str) -> str:
    """Resolve "auto" to bwrap where it works; "bwrap" fails loudly where it does not."""
    if requested not in (AUTO, BWRAP, FALLBACK):
        raise ValueError(f"unknown sandbox {requested!r}: use auto, bwrap or fallback")
    if requested == FALLBACK:
        return FALLBACK
    problem = bwrap_problem()
    if problem is None:
        return BWRAP
    if requested == BWRAP:
        raise SandboxUnavailable(problem)
    return FALLBACK


def limit_values(limits: Limits) -> dict[str, int]:
    """Every resource limit a kernel and its children inherit, by ``resource`` name."""
    largest_file = max(limits.answer_bytes, limits.scratch_mb * 2**20)
    # A backstop for a kernel whose controller hangs: the wall-clock deadline
    # normally stops it long before, even with every core busy.
    cpu_seconds = math.ceil((limits.total_seconds + 60) * (os.cpu_count() or 1))
    values = {
        "RLIMIT_AS": (limits.memory_mb + ADDRESS_SPACE_OVERHEAD_MB) * 2**20,
        "RLIMIT_FSIZE": largest_file,
        "RLIMIT_NOFILE": OPEN_FILES,
        "RLIMIT_CPU": cpu_seconds,
        "RLIMIT_CORE": 0,
    }
    if can_switch_uid():
        # As our own uid the limit would count (and cap) all our other processes.
        values["RLIMIT_NPROC"] = limits.processes
    return values


_PRLIMIT_OPTIONS = {
    "RLIMIT_AS": "--as", "RLIMIT_FSIZE": "--fsize", "RLIMIT_NOFILE": "--nofile",
    "RLIMIT_CPU": "--cpu", "RLIMIT_CORE": "--core", "RLIMIT_NPROC": "--nproc",
}  # fmt: skip


def limit_args(limits: Limits) -> list[str]:
    """``prlimit`` and its options: every limit the kernel and its children inherit."""
    options = [f"{_PRLIMIT_OPTIONS[name]}={value}" for name, value in limit_values(limits).items()]
    return [shutil.which("prlimit") or "/usr/bin/prlimit", *options, "--"]


def tmpfs_bytes(limits: Limits) -> dict[str, int]:
    """The sizes of a graded kernel's in-memory /tmp, /scratch and /answers."""
    return {
        "tmp_bytes": limits.tmp_mb * 2**20,
        "scratch_bytes": limits.scratch_mb * 2**20,
        "answers_bytes": max(limits.answer_bytes * 4, 2**20),
    }


def drop_privileges_args(uid: int, gid: int | None = None) -> list[str]:
    """``setpriv`` switching to ``uid`` (and ``gid``, else the same number) with no other
    groups, no capabilities and no way back up."""
    if not can_switch_uid():
        return []
    return [
        shutil.which("setpriv") or "/usr/bin/setpriv",
        f"--reuid={uid}",
        f"--regid={uid if gid is None else gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        # Dies with whatever started it: us (fallback) or the sandbox's init (bwrap).
        "--pdeathsig=KILL",
        "--",
    ]


def wall_args(lake_dir: Path, run_dir: Path, seccomp_fd: int) -> list[str]:
    """The fallback's first program: confine itself, then execute what follows ``--``.

    ``inside/wall.py`` runs with the text of ``app/landlock.py`` as its
    ``landlock``; it reads the seccomp filter from ``seccomp_fd``.
    """
    launcher = (
        "import sys, types\n"
        "landlock = types.ModuleType('academy_landlock')\n"
        f"exec(compile({_text(Path(landlock.__file__))!r}, 'landlock.py', 'exec'), "
        "landlock.__dict__)\n"
        "wall = {'__name__': 'academy_wall'}\n"
        f"exec(compile({_text(WALL)!r}, 'wall.py', 'exec'), wall)\n"
        "wall['main'](sys.argv[1:], landlock)\n"
    )
    reads = [*python_prefixes(), *FALLBACK_READS, *dict.fromkeys((lake_dir, lake_dir.resolve()))]
    args = [sys.executable, "-I", "-S", "-c", launcher, "--seccomp-fd", str(seccomp_fd)]
    args += [f for path in reads for f in ("--read", str(path))]
    args += [f for path in (run_dir, *FALLBACK_WRITES) for f in ("--write", str(path))]
    return [*args, "--"]


def _text(path: Path) -> str:
    """A source file sent to the sandbox as text."""
    return path.read_text(encoding="utf-8")


def kernel_args(connection_file: str, setup_file: str | None = None) -> list[str]:
    """The ipykernel command (no history file: nothing of a run outlives it).

    ``setup_file``, for a JupyterLab kernel, is run in the learner's namespace once the
    kernel has started (a graded kernel is given the same code as its first cell).
    """
    setup = [f"--IPKernelApp.exec_files={setup_file}"] if setup_file else []
    # A graded kernel preloads what its hidden cells import; a JupyterLab kernel, started
    # for one learner and then idle, would only hold it (its set-up imports pandas lazily).
    preload = (
        []
        if setup_file
        else [
            # Loaded into sys.modules only: the learner's namespace starts empty.
            f"--IPKernelApp.exec_lines=_academy_preload = [__import__(m) for m in {PRELOAD!r}]",
            "--IPKernelApp.exec_lines=del _academy_preload",
        ]
    )
    launcher = [*python_args(), "-m", "ipykernel_launcher"]
    return [*launcher, *kernel_options(connection_file), *preload, *setup]


def python_args() -> list[str]:
    """The interpreter as the sandbox runs it."""
    # -B: the Python installation is read-only anyway; do not try to write .pyc.
    return [sys.executable, "-B", "-s"]


def kernel_options(connection_file: str) -> list[str]:
    """ipykernel's options for a graded kernel (no history file: nothing outlives it)."""
    return ["-f", connection_file, "--HistoryManager.hist_file=:memory:"]


def kernel_env(lake: str, scratch: str, answers: str, home: str) -> dict[str, str]:
    """The kernel's whole environment: nothing of the web process's (secret key, DB URL)."""
    return {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "USER": "learner",
        "PYTHONDONTWRITEBYTECODE": "1",
        "ACADEMY_LAKE": lake,
        "ACADEMY_SCRATCH": scratch,
        "ACADEMY_ANSWERS": answers,
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "TMPDIR": home,  # the fallback may write only in its run folder
        "JUPYTER_PLATFORM_DIRS": "1",  # silences jupyter_core's migration warning
        # Fewer malloc arenas and the system allocator for Arrow: far less reserved
        # address space, which is what RLIMIT_AS counts.
        "MALLOC_ARENA_MAX": "2",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        # No threads at import (OpenBLAS's pool, Arrow's jemalloc background thread): the
        # fork server forks after importing, and a fork keeps only the calling thread.
        # Every kernel gets the same, so a cell behaves alike wherever it runs.
        "OPENBLAS_NUM_THREADS": "1",
        "JE_ARROW_MALLOC_CONF": "background_thread:false",
    }


def bwrap_args(
    limits: Limits,
    lake_dir: Path,
    ipc_dir: Path,
    info_fd: int,
    seccomp_fd: int | None = None,
    workspace: Workspace | None = None,
) -> list[str]:
    """bubblewrap's options: namespaces, a minimal read-only root and the writable mounts.

    A graded kernel's /scratch is in memory and vanishes with it; a JupyterLab kernel's
    is the learner's own folder, and their workspace is mounted at WORKSPACE_PATH.
    """
    args = [BWRAP_PATH, *_namespace_args(), "--die-with-parent", "--new-session"]
    args += ["--info-fd", str(info_fd), "--hostname", "sandbox", *_system_args()]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    # The writable tmpfs mounts come first: a Python installation (or a checkout
    # in CI) may live under /tmp, and must be bound on top of the empty /tmp,
    # not hidden by it.
    sizes = tmpfs_bytes(limits)
    args += ["--perms", "1777", "--size", str(sizes["tmp_bytes"]), "--tmpfs", "/tmp"]
    if workspace is None:
        scratch = ["--perms", "0777", "--size", str(sizes["scratch_bytes"]), "--tmpfs"]
        args += [*scratch, SCRATCH_PATH]
    else:
        args += ["--bind", str(workspace.scratch), SCRATCH_PATH]
        args += ["--bind", str(workspace.home), WORKSPACE_PATH]
    args += ["--perms", "0777", "--size", str(sizes["answers_bytes"]), "--tmpfs", ANSWERS_PATH]
    made: set[str] = set()
    for prefix in python_prefixes():
        args += _parents(prefix, made) + ["--ro-bind", prefix, prefix]
    args += _hide_app_source()
    lake = str(lake_dir.resolve())
    args += ["--ro-bind", lake, LAKE_PATH]
    # The lake's views name their files by absolute host path (lake.database), so
    # the lake is also mounted where the host has it, read-only like /lake.
    for mirror in dict.fromkeys((str(lake_dir.absolute()), lake)):
        if not _reserved(mirror):
            args += _parents(mirror, made) + ["--ro-bind", lake, mirror]
    if workspace is not None and workspace.base_lake is not None:
        # A granted learner's /lake is the restricted folder, whose views read the build
        # beside it for every dataset without personal data: that build, at its host path.
        base = str(workspace.base_lake.resolve())
        for mirror in dict.fromkeys((str(workspace.base_lake.absolute()), base)):
            if not _reserved(mirror):
                args += _parents(mirror, made) + ["--ro-bind", base, mirror]
    start_in = SCRATCH_PATH if workspace is None else _below(WORKSPACE_PATH, workspace.cwd)
    args += ["--bind", str(ipc_dir), IPC_PATH, "--chdir", start_in]
    if not can_switch_uid():
        args.append("--unshare-user")  # unprivileged: a user namespace is how bwrap works
    return [*args, "--"]


# What the fork server's kernels are walled off with before they drop them all
# (inside/zygote.py): mounts and namespaces, their own uid, and their bounding set.
FORK_SERVER_CAPS = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")
CGROUP_PATH = "/cgroup"
STAGE_PATH = "/.stage"


def fork_server_args(
    limits: Limits, lake_dir: Path, kernels_dir: Path, info_fd: int, cgroups: Path | None
) -> list[str]:
    """bubblewrap's options for the fork server: a graded kernel's sandbox, with every
    kernel's folder at /ipc, the memory cgroups' parent at /cgroup and the capabilities
    to give each kernel walls of its own. Root only: each kernel gets a uid of its own.
    """
    args = bwrap_args(limits, lake_dir, kernels_dir, info_fd)[:-1]
    for cap in FORK_SERVER_CAPS:
        args += ["--cap-add", cap]
    args += ["--perms", "0755", "--dir", STAGE_PATH]
    if cgroups is not None:
        args += ["--bind", str(cgroups), CGROUP_PATH]
    return [*args, "--"]


def _below(top: str, relative: str) -> str:
    """``top``/``relative``, or ``top`` when ``relative`` would climb out of it."""
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    return top if ".." in parts else "/".join([top, *parts])


def python_prefixes() -> list[str]:
    """The Python installation(s) the kernel needs: the venv and the interpreter it uses."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    return sorted(p for p in found if p != "/" and not _reserved(p))


def _hide_app_source() -> list[str]:
    """An empty tmpfs over the app's package if it lies inside a mounted prefix.

    With an editable install (development) the app is outside the venv and not
    mounted at all; with a regular install it is in site-packages, and the
    learner must not read the grader's code.
    """
    package = str(Path(__file__).resolve().parents[2])
    if any(_inside(package, prefix) for prefix in python_prefixes()):
        return ["--perms", "0000", "--tmpfs", package]
    return []


def _namespace_args() -> list[str]:
    """Every namespace but the user one, which as root would undo the uid switch."""
    return [
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]


def _system_args() -> list[str]:
    """/usr read-only, the merged-/usr links, the linker cache, /proc and a minimal /dev."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for path in ("/etc/ld.so.cache", "/etc/localtime"):
        args += ["--ro-bind-try", path, path]
    return [*args, "--proc", "/proc", "--dev", "/dev"]


def _parents(path: str, made: set[str]) -> list[str]:
    """Create ``path``'s missing ancestors world-traversable (bwrap would make them 0700)."""
    args: list[str] = []
    for parent in reversed(Path(path).parents):
        name = str(parent)
        if name != "/" and name not in made and name != "/tmp":
            made.add(name)
            args += ["--perms", "0755", "--dir", name]
    return args


def _reserved(path: str) -> bool:
    """Whether ``path`` lies inside one of the sandbox's own mounts."""
    return any(_inside(path, top) for top in _RESERVED)


def _inside(path: str, top: str) -> bool:
    """Whether ``path`` is ``top`` or below it."""
    return path == top or path.startswith(top.rstrip("/") + "/")

"""Copy the answer files a kernel exported to where the grader reads them, distrustfully.

The kernel ran learners' code and its /answers may hold anything: a symlink to
the instance's secret key (which the grader, reading on the host, would
follow), a FIFO that blocks a reader forever, a huge or sparse file, thousands
of files. Only regular files at the top level are copied, each opened without
following links and read up to the size cap; everything else is skipped and
named in the notes the learner sees.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def copy_answers(source: Path | None, dest: Path, max_bytes: int, max_files: int) -> list[str]:
    """Copy regular answer files from ``source`` into ``dest``; return notes on what was skipped."""
    dest.mkdir(parents=True, exist_ok=True)
    if source is None:
        return []
    try:
        folder = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return []
    notes: list[str] = []
    try:
        names = sorted(os.listdir(folder))
        if len(names) > max_files:
            notes.append(f"only the first {max_files} of {len(names)} answer files were kept")
        for name in names[:max_files]:
            note = _copy_one(folder, name, dest, max_bytes)
            if note:
                notes.append(note)
    finally:
        os.close(folder)
    return notes


def _copy_one(folder: int, name: str, dest: Path, max_bytes: int) -> str | None:
    """Copy one entry if it is a safe regular file of at most ``max_bytes``."""
    if not _SAFE_NAME.fullmatch(name):
        return f"answer file {name[:60]!r} has an unusual name and was skipped"
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return f"answer {name} is not a regular file and was skipped"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return f"answer {name} is not a regular file and was skipped"
        if info.st_size > max_bytes:
            return f"answer {name} is larger than {max_bytes // 1024} KB and was skipped"
        data = _read_at_most(fd, max_bytes + 1)
        if len(data) > max_bytes:
            return f"answer {name} is larger than {max_bytes // 1024} KB and was skipped"
    finally:
        os.close(fd)
    target = dest / name
    with contextlib.suppress(FileNotFoundError):
        target.unlink()  # never write through something already there
    with open(target, "xb") as out:
        out.write(data)
    return None


def _read_at_most(fd: int, limit: int) -> bytes:
    """Read until EOF or ``limit`` bytes, whichever comes first."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)

"""Swapping a finished build in as the lake, atomically, without pulling files from readers.

The lake folder (``ACADEMY_LAKE_DIR``) is a symbolic link to a build folder in
``.<name>.builds/`` beside it. A build is written into a fresh folder there and
only then does the link move, with one ``rename``: readers see the old lake or
the new one, never half of either. A failed build never touches the link.

Builds are never moved once written, which is what lets the views in
``lake.duckdb`` name their files by absolute path. The previous build is kept
so that anyone with it open keeps working; older ones are removed. Each
build's restricted folder (``restrict.py``) lives and dies with it, and a
second link, ``<lake>.restricted``, moves with the lake's.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.lake.pipeline.files import MANIFEST
from app.lake.pipeline.restrict import restricted_folder, restricted_link


class LakeError(Exception):
    """The lake cannot be built or published where it was asked to be."""


def builds_folder(target: Path) -> Path:
    """Where the builds behind ``target`` live: a hidden folder beside it."""
    return target.parent / f".{target.name}.builds"


@contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Hold the lake's build lock: two builds at once would remove each other's folders."""
    folder = builds_folder(target)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LakeError(f"another build of {target} is running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_build(target: Path) -> Path:
    """A fresh, empty folder for one build, readable by others like any lake folder."""
    folder = Path(tempfile.mkdtemp(prefix="build-", dir=builds_folder(target)))
    folder.chmod(0o755)  # mkdtemp makes it private; the web app may run as someone else
    return folder


def current_build(target: Path) -> Path | None:
    """The build the lake points at now, if it is one of ours."""
    if target.is_symlink():
        return target.resolve()
    return None


def ensure_replaceable(target: Path) -> None:
    """Refuse early, before any work, to build over something that is not a lake."""
    if target.is_symlink() or not target.exists():
        return
    if target.is_dir() and (not any(target.iterdir()) or (target / MANIFEST).is_file()):
        return
    raise LakeError(f"{target} exists and is not a lake; refusing to replace it")


def _clear_the_way(target: Path) -> Path | None:
    """Make room for the link where a plain folder stands; a lake there becomes a build."""
    ensure_replaceable(target)
    if target.is_symlink() or not target.exists():
        return None
    if not any(target.iterdir()):
        target.rmdir()
        return None
    adopted = new_build(target)
    adopted.rmdir()
    target.rename(adopted)
    return adopted


def publish(target: Path, build: Path) -> None:
    """Point the lake at ``build`` in one atomic rename, then tidy up older builds."""
    previous = current_build(target) or _clear_the_way(target)
    restricted = restricted_folder(build)
    if restricted.is_dir():
        # First, so that a reader of the new lake never finds the old restricted tier.
        _point(restricted_link(target), restricted, builds_folder(target))
    _point(target, build, builds_folder(target))
    kept = {build.resolve()} | ({previous} if previous else set())
    keep = kept | {restricted_folder(b) for b in kept}
    for old in builds_folder(target).iterdir():
        if old.is_dir() and not old.is_symlink() and old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _point(link_path: Path, folder: Path, scratch: Path) -> None:
    """Make ``link_path`` a relative link to ``folder`` with one atomic rename."""
    link = scratch / f"link-{folder.name}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(folder, link_path.parent), target_is_directory=True)
    os.replace(link, link_path)


def discard(build: Path) -> None:
    """Remove a build that failed or was interrupted, and its restricted folder."""
    shutil.rmtree(restricted_folder(build), ignore_errors=True)
    shutil.rmtree(build, ignore_errors=True)

"""Exercises read once per process, and read again only when something in their folder changes.

Reading a folder parses every ``exercise.yaml``, reads every notebook and
imports every ``checks.py`` (about 0.1 s for two exercises), and the site
looks exercises up several times per request and per grade.
``exercise_cache.get(root)`` returns the last reading of ``root`` while the
folder's signature is the same: the relative path, modification time and size
of every file under it, and the path of every folder. Editing, touching,
adding or deleting any of them makes the next lookup read the folder again,
with the same problems reported as a fresh read would.
"""

from __future__ import annotations

import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Collection
from pathlib import Path

from app.grading.exercises.load import ExerciseSet, load_exercises

# Per file (path relative to the root, st_mtime_ns, st_size); per folder ("path/", 0, 0).
Signature = tuple[tuple[str, int, int], ...]
# Written by importing an exercise's checks.py while reading it: not the author's change.
NOT_CONTENT = frozenset({"__pycache__"})


def signature(root: Path) -> Signature:
    """What the folder looks like now, cheaply: a walk that reads no file, links followed."""
    found: list[tuple[str, int, int]] = []
    seen: set[tuple[int, int]] = set()  # folders already walked: a link loop ends here
    pending = [(Path(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:  # missing, unreadable, or not a folder
            continue
        for entry in entries:
            if entry.name in NOT_CONTENT:
                continue
            try:
                info = entry.stat()  # follows links, as reading the exercises does
            except OSError:  # a dangling link: nothing the reader would see
                continue
            relative = prefix + entry.name
            if not stat.S_ISDIR(info.st_mode):
                found.append((relative, info.st_mtime_ns, info.st_size))
                continue
            # A folder counts by its name only: what it holds is listed entry by entry,
            # and its own time moves when __pycache__ appears in it.
            found.append((relative + "/", 0, 0))
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                pending.append((Path(entry.path), relative + "/"))
    return tuple(sorted(found))


class ExerciseCache:
    """The last reading of each exercises folder, keyed by the folder and the known modules.

    The ExerciseSet returned is shared between callers: read it, never change it.
    """

    def __init__(self, size: int = 8) -> None:
        """Keep the readings of at most ``size`` folders (tests make many)."""
        self.size = size
        self._entries: OrderedDict[tuple, tuple[Signature, ExerciseSet]] = OrderedDict()
        self._lock = threading.Lock()  # request and grading threads look exercises up at once

    def get(self, root: Path, known_modules: Collection[str] | None = None) -> ExerciseSet:
        """Every exercise under ``root`` (as ``load_exercises``), read again only after a change."""
        key = (Path(root).absolute(), None if known_modules is None else frozenset(known_modules))
        # Taken before reading, so a file changed while it is read is read again next time.
        now = signature(root)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == now:
                self._entries.move_to_end(key)
                return entry[1]
        found = load_exercises(Path(root), known_modules)
        with self._lock:
            self._entries[key] = (now, found)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        """Forget every reading."""
        with self._lock:
            self._entries.clear()


exercise_cache = ExerciseCache()

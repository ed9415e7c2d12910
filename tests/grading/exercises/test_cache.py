"""Exercises are read once per process, and again whenever a file of their folder changes.

Reads are counted by wrapping the parser of ``exercise.yaml``, never timed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.grading import submissions
from app.grading.exercises import load
from app.grading.exercises.cache import ExerciseCache, exercise_cache, signature
from app.grading.exercises.load import load_exercises
from tests.grading.support import SIMPLE_YAML, notebook_bytes

CHECKS = "def check_q3(answer, lake):\n    return True\n"
PYTHON_YAML = SIMPLE_YAML + (
    "  - {id: q3, points: 1, kind: python, prompt: Anything, check: check_q3}\n"
)


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The folders whose exercise.yaml was parsed, in order."""
    seen: list[str] = []
    parse = load.parse_exercise_yaml

    def counting(text, folder, *args, **kwargs):
        seen.append(folder.name)
        return parse(text, folder, *args, **kwargs)

    monkeypatch.setattr(load, "parse_exercise_yaml", counting)
    return seen


@pytest.fixture
def root(write_exercise, tmp_path) -> Path:
    """An exercises folder holding one good exercise, ``simple``."""
    write_exercise()
    return tmp_path / "exercises"


def _touch(path: Path) -> None:
    """Move a file's modification time on by a second, its content unchanged."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_a_second_lookup_reads_nothing_again(root, parses):
    cache = ExerciseCache()
    first = cache.get(root)
    assert parses == ["simple"]
    assert cache.get(root) is first
    assert cache.get(Path(str(root))) is first  # the same folder, however it is spelt
    assert parses == ["simple"]


def test_bytecode_written_by_importing_checks_py_is_not_a_change(write_exercise, tmp_path, parses):
    folder = write_exercise(
        yaml_text=PYTHON_YAML,
        starter={"q1": "", "q2": "", "q3": ""},
        solution={"q1": "", "q2": "", "q3": "answer_q3 = 1"},
        checks=CHECKS,
    )
    cache = ExerciseCache()
    assert cache.get(tmp_path / "exercises").problems == []  # checks.py was imported
    (folder / "__pycache__").mkdir(exist_ok=True)  # as the import may have done
    (folder / "__pycache__" / "checks.cpython-311.pyc").write_bytes(b"bytecode")
    cache.get(tmp_path / "exercises")
    assert parses == ["simple"]


def _edit_the_starter(folder: Path) -> None:
    (folder / "starter.ipynb").write_bytes(notebook_bytes({"q1": "answer_q1 = 'edited'"}))


def _add_a_wrong_variant(folder: Path) -> None:
    (folder / "wrong").mkdir()
    (folder / "wrong" / "w.ipynb").write_bytes(notebook_bytes({"q1": "answer_q1 = 'x'"}))


def _delete_the_solution(folder: Path) -> None:
    (folder / "solution.ipynb").unlink()


def _add_an_exercise_folder(folder: Path) -> None:
    (folder.parent / "later").mkdir()


@pytest.mark.parametrize(
    "change",
    [
        lambda folder: _touch(folder / "exercise.yaml"),
        _edit_the_starter,
        _add_a_wrong_variant,
        _delete_the_solution,
        _add_an_exercise_folder,
    ],
    ids=["touch", "edit", "add", "delete", "new folder"],
)
def test_any_change_in_the_folder_reads_it_again(root, parses, change):
    cache = ExerciseCache()
    before = cache.get(root)
    change(root / "simple")
    after = cache.get(root)
    assert parses[0] == "simple" and len(parses) == 2
    assert after is not before
    assert [str(p) for p in after.problems] == [str(p) for p in load_exercises(root).problems]
    assert cache.get(root) is after  # and it is cached again


def test_what_changed_is_what_the_next_lookup_sees(root):
    cache = ExerciseCache()
    assert cache.get(root).by_id["simple"].wrong_variants() == []
    (root / "simple" / "wrong").mkdir()
    (root / "simple" / "wrong" / "w.ipynb").write_bytes(notebook_bytes({"q1": "answer_q1 = 1"}))
    assert [p.name for p in cache.get(root).by_id["simple"].wrong_variants()] == ["w.ipynb"]


def test_a_broken_edit_gives_the_same_problems_as_a_fresh_read_and_a_fix_undoes_it(root):
    cache = ExerciseCache()
    assert cache.get(root).problems == []
    good = (root / "simple" / "exercise.yaml").read_text()
    (root / "simple" / "exercise.yaml").write_text("title: x\nquestions: [\n")
    broken = cache.get(root)
    assert "simple" not in broken.by_id
    assert [str(p) for p in broken.problems] == [str(p) for p in load_exercises(root).problems]
    assert "exercises/simple/exercise.yaml" in str(broken.problems[0])
    assert "not valid YAML" in str(broken.problems[0])
    (root / "simple" / "exercise.yaml").write_text(good)
    assert "simple" in cache.get(root).by_id


def test_known_modules_are_part_of_the_key(root, parses):
    cache = ExerciseCache()
    assert cache.get(root, known_modules={"SQ101"}).problems == []
    assert "unknown module SQ101" in str(cache.get(root, known_modules={"DP101"}).problems[0])
    assert cache.get(root, known_modules={"SQ101"}).problems == []
    assert len(parses) == 2


def test_the_signature_sees_files_and_folders_and_survives_a_link_loop(root):
    (root / "simple" / "loop").symlink_to(root)
    entries = {path for path, _mtime, _size in signature(root)}
    assert {"simple/", "simple/exercise.yaml", "simple/starter.ipynb"} <= entries
    assert signature(root / "missing") == ()


def test_the_site_reads_its_exercises_once(make_app, root, parses):
    app = make_app(ACADEMY_EXERCISES_DIR=str(root))
    exercise_cache.clear()
    with app.app_context():
        assert submissions.find_exercise("simple") is not None
        assert submissions.find_exercise("simple") is not None
        assert sorted(submissions.all_exercises()) == ["simple"]
    assert parses == ["simple"]

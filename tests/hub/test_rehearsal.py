"""Every shipped lesson notebook runs top to bottom in a learner's sandboxed kernel."""

from __future__ import annotations

import nbformat
import pytest

from app.config import PROJECT_ROOT
from app.hub.lessons import lesson_files
from app.hub.rehearsal import rehearse

LESSONS = lesson_files(PROJECT_ROOT / "notebooks")


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_the_lesson_runs_against_a_fresh_lake(lesson, built_lake):
    rehearsal = rehearse(lesson, built_lake.lake)
    assert rehearsal.ok, f"{lesson.name} failed:\n{rehearsal}"


def test_there_are_lessons_to_run():
    assert any(p.name == "nb101.ipynb" for p in LESSONS)


@pytest.mark.slow
def test_a_failing_cell_is_named_with_its_error(tmp_path, built_lake):
    cells = [
        nbformat.v4.new_markdown_cell("# A lesson"),
        nbformat.v4.new_code_cell("n = lake.sql('SELECT count(*) FROM trusted.advert').fetchall()"),
        nbformat.v4.new_code_cell("lake.sql('SELECT nope FROM trusted.advert').fetchall()"),
        nbformat.v4.new_code_cell("lake.sql('CREATE TABLE user.mine AS SELECT 1 AS x')"),
    ]
    path = tmp_path / "zz101.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    rehearsal = rehearse(path, built_lake.lake)
    assert not rehearsal.ok
    (error,) = rehearsal.errors
    assert error.index == 2 and "nope" in error.value
    assert "cell 2: BinderException" in str(rehearsal)

"""The shipped exercises: they load cleanly, and their notebooks grade as they must."""

from __future__ import annotations

import shutil

import pytest

from app.authoring.folder import load_folder
from app.config import PROJECT_ROOT
from app.grading.exercises.load import check_course_links, load_exercises
from app.grading.exercises.verify import check_grades, check_references, expectations
from app.grading.sandbox.local_runner import execute_locally
from app.lake.explore.links import LINK_KINDS

ROOT = PROJECT_ROOT / "exercises"
# The first two exercises, whose notebooks are graded here; the course helpers add more.
SHIPPED = ("dm201-joins", "sq101-first-queries")


@pytest.fixture(scope="module")
def shipped():
    """The exercises folder, read with the real course codes.

    The courses are read as ``academy check`` reads them, with the link kinds the
    lake adds (``[[glossary:…]]``), so a course file that links a term loads.
    """
    courses = load_folder(PROJECT_ROOT / "courses", LINK_KINDS)
    return courses, load_exercises(ROOT, known_modules=set(courses.by_code))


def test_the_shipped_exercises_load_without_problems_and_are_listed_by_their_modules(shipped):
    courses, found = shipped
    assert found.problems == []
    assert set(SHIPPED) <= set(found.by_id)
    links = {m.code: (m.path, m.exercises, m.line_of("exercises")) for m in courses.modules}
    assert check_course_links(found, links) == []
    assert courses.by_code["DM201"].exercises == ("dm201-joins",)
    assert courses.by_code["SQ101"].exercises == ("sq101-first-queries",)


def test_every_shipped_exercise_has_a_wrong_variant_and_each_kind_is_used(shipped):
    _, found = shipped
    for exercise in found.exercises:
        assert exercise.wrong_variants(), exercise.id
    kinds = {q.kind for q in found.by_id["dm201-joins"].questions}
    assert kinds == {"sql", "value", "python"}


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", SHIPPED)
def test_solution_full_marks_starter_zero_wrong_below_the_pass_mark(shipped, lake_dir, exercise_id):
    exercise = shipped[1].by_id[exercise_id]
    assert check_references(exercise, lake_dir, ROOT) == []
    seen = []
    problems = check_grades(exercise, execute_locally, lake_dir, ROOT, progress=seen.append)
    assert problems == []
    assert len(seen) == len(expectations(exercise)) >= 3


def test_course_files_with_glossary_links_load_in_this_loader(tmp_path):
    courses_dir = tmp_path / "courses"
    shutil.copytree(PROJECT_ROOT / "courses", courses_dir)
    source = next(courses_dir.glob("sq101*.md"))
    text = source.read_text(encoding="utf-8")
    first_heading = text.index("\n## ")
    linked = text[:first_heading] + "\n\nSee [[glossary:Grain]].\n" + text[first_heading:]
    source.write_text(linked, encoding="utf-8")
    before = load_folder(PROJECT_ROOT / "courses", LINK_KINDS).problems
    courses = load_folder(courses_dir, LINK_KINDS)
    assert [p.message for p in courses.problems] == [p.message for p in before]
    assert "SQ101" in courses.by_code
    source.write_text(linked.replace("Grain", "Nonsense term"), encoding="utf-8")
    unknown = load_folder(courses_dir, LINK_KINDS)
    assert any("Nonsense term" in p.message for p in unknown.problems)

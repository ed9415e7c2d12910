"""Instructors' kits, and the practice a written technical module needs, as checked."""

from pathlib import Path
from textwrap import dedent

import pytest

from app.authoring.folder import load_folder
from app.authoring.kits import check_kits
from app.authoring.practice import check_practice
from tests.factories import course_text, write_course

BODY = dedent(
    """\
    ## Reading

    Some text.

    ## Check your understanding

    1. First question?
    2. Second question?
    """
)

GOOD_KIT = dedent(
    """\
    ---
    module: DP101
    ---
    ## Answer notes

    1. The first answer.
    2. The second answer,
       over two lines.

    ## Session plan

    | minutes | what |
    | --- | --- |
    | 0-10 | talk |

    ### Live demo

    Run a query.

    ### Common questions

    - **Why?** Because.
    """
)


def kit_problems(root: Path, kit: str | None, *, body: str = BODY) -> list[str]:
    write_course(root, "dp101.md", course_text("DP101", body=body, extra="technical: false\n"))
    if kit is not None:
        (root / "kits").mkdir(exist_ok=True)
        (root / "kits" / "dp101.md").write_text(kit, encoding="utf-8")
    courses = load_folder(root)
    assert courses.ok, courses.problems
    return [str(p) for p in check_kits(root, courses.modules)]


def test_a_sound_kit_passes(courses_dir):
    assert kit_problems(courses_dir, GOOD_KIT) == []


def test_a_written_module_without_a_kit_is_an_error(courses_dir):
    assert kit_problems(courses_dir, None) == [
        "courses/dp101.md:1: error: written module DP101 has no kit courses/kits/dp101.md"
    ]


def test_a_stub_needs_no_kit(courses_dir):
    assert kit_problems(courses_dir, None, body="") == []


def test_one_answer_note_too_few_is_reported_at_the_heading(courses_dir):
    kit = GOOD_KIT.replace("2. The second answer,\n   over two lines.\n", "")
    (problem,) = kit_problems(courses_dir, kit)
    # Line 4 of the kit file is "## Answer notes"; the questions' heading is line 14 of the module.
    assert problem.startswith("courses/kits/dp101.md:4: error: 1 answer note(s) for 2 numbered")
    assert "courses/dp101.md:14" in problem


def test_bullets_are_not_answer_notes(courses_dir):
    kit = GOOD_KIT.replace("1. The first", "- The first").replace("2. The second", "- The second")
    (problem,) = kit_problems(courses_dir, kit)
    assert "0 answer note(s) for 2" in problem


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        ("| minutes | what |\n| --- | --- |\n| 0-10 | talk |\n", "has no timings table"),
        ("### Live demo\n", "has no `### Live demo`"),
        ("### Common questions\n", "has no `### Common questions`"),
        ("## Session plan\n", "no `## Session plan` section"),
        ("## Answer notes\n", "no `## Answer notes` section"),
    ],
)
def test_each_part_of_the_kit_is_required(courses_dir, cut, message):
    problems = kit_problems(courses_dir, GOOD_KIT.replace(cut, ""))
    assert any(message in p for p in problems), problems


def test_the_kit_must_name_its_own_existing_module(courses_dir):
    problems = kit_problems(courses_dir, GOOD_KIT.replace("module: DP101", "module: DP999"))
    assert problems == [
        "courses/kits/dp101.md:2: error: kit names module DP999, which does not exist"
    ]


def test_a_kit_for_no_module_is_reported(courses_dir):
    (courses_dir / "kits").mkdir()
    (courses_dir / "kits" / "zz101.md").write_text(GOOD_KIT.replace("DP101", "ZZ101"))
    assert kit_problems(courses_dir, GOOD_KIT) == [
        "courses/kits/zz101.md:2: error: kit names module ZZ101, which does not exist"
    ]


def test_technical_defaults_to_true_and_must_be_a_bool(courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101"))
    write_course(courses_dir, "b.md", course_text("DP102", extra="technical: sometimes\n"))
    courses = load_folder(courses_dir)
    assert courses.by_code["DP101"].technical is True
    assert [str(p) for p in courses.problems] == [
        "courses/b.md:8: error: `technical` must be true or false"
    ]


def test_a_written_technical_module_needs_an_exercise_and_a_notebook(courses_dir, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_course(courses_dir, "a.md", course_text("DP101", body=BODY))
    write_course(courses_dir, "b.md", course_text("DP102", body=BODY, extra="technical: false\n"))
    write_course(courses_dir, "c.md", course_text("DP103"))  # a stub
    write_course(
        courses_dir, "d.md", course_text("SQ101", body=BODY, extra="exercises: [sq101-first]\n")
    )
    (notebooks / "sq101.ipynb").write_text("{}")
    courses = load_folder(courses_dir)
    problems = [str(p) for p in check_practice(courses.modules, notebooks)]
    assert problems == [
        "courses/a.md:1: error: written technical module DP101 lists no exercise: add "
        "`exercises: [folder-name]`, or say `technical: false`",
        "courses/a.md:1: error: written technical module DP101 has no lesson notebook "
        "notebooks/dp101.ipynb",
    ]


def test_check_reports_kits_and_practice(runner, courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", body=BODY))
    result = runner.invoke(args=["academy", "check"])
    assert result.exit_code != 0
    assert "has no kit courses/kits/dp101.md" in result.output
    assert "DP101 lists no exercise" in result.output
    assert "no lesson notebook notebooks/dp101.ipynb" in result.output

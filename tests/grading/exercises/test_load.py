"""Reading exercise folders: every problem is reported as path:line: message."""

from __future__ import annotations

from app.authoring.problems import Severity
from app.grading.exercises.authored import Limits
from app.grading.exercises.load import check_course_links, load_exercise, load_exercises
from tests.grading.support import SIMPLE_SOLUTION, SIMPLE_YAML


def problems_of(folder, known=None) -> list[str]:
    """Each problem of an exercise folder as text."""
    _exercise, problems = load_exercise(folder, known_modules=known)
    return [str(p) for p in problems]


def test_a_good_exercise_loads_with_its_defaults(write_exercise):
    exercise, problems = load_exercise(write_exercise(), known_modules={"SQ101"})
    assert problems == []
    assert exercise.id == "simple" and exercise.module == "SQ101"
    assert exercise.pass_mark == 0.6 and exercise.limits == Limits(10, 60, 512)
    assert [q.id for q in exercise.questions] == ["q1", "q2"]
    assert exercise.max_score == 3
    q1 = exercise.question("q1")
    assert (q1.order_matters, q1.float_tolerance, q1.columns_must_match_names) == (
        False,
        1e-6,
        True,
    )
    assert exercise.question("q2").hints == ("Count the rows of trusted.product.", "Use count(*).")


def test_unparsable_yaml_names_the_line(write_exercise):
    folder = write_exercise(yaml_text="title: x\nmodule: SQ101\nquestions: [\n  - id: q1\n")
    [problem] = problems_of(folder)
    assert problem.startswith("exercises/simple/exercise.yaml:")
    assert "not valid YAML" in problem


def test_missing_fields_and_unknown_kinds(write_exercise):
    folder = write_exercise(
        yaml_text="""\
        module: SQ101
        questions:
          - id: q1
            points: 1
            prompt: Hello
            kind: essay
          - id: q2
            prompt: No points
            kind: sql
            reference: SELECT 1
        """
    )
    found = problems_of(folder)
    assert "exercises/simple/exercise.yaml:1: error: missing required field `title`" in found
    assert (
        "exercises/simple/exercise.yaml:6: error: unknown kind 'essay' (known: sql, value, python)"
    ) in found
    assert "exercises/simple/exercise.yaml:7: error: `points` must be a number above 0" in found


def test_unknown_module_code_is_reported_when_the_courses_are_known(write_exercise):
    folder = write_exercise()
    assert problems_of(folder, known=None) == []
    assert problems_of(folder, known={"DP101"}) == [
        "exercises/simple/exercise.yaml:2: error: unknown module SQ101: "
        "no course file has that code"
    ]


def test_each_kind_needs_its_own_fields(write_exercise):
    folder = write_exercise(
        yaml_text="""\
        title: T
        module: SQ101
        pass_mark: 2
        limits: {cell_seconds: -1, gpus: 2, total_seconds: 601}
        questions:
          - {id: q1, points: 1, prompt: P, kind: sql}
          - {id: q2, points: 1, prompt: P, kind: value, expected: 3, reference: SELECT 3}
          - {id: q3, points: 1, prompt: P, kind: python}
          - {id: Q-4, points: 1, prompt: P, kind: value, expected: 1, order_matters: maybe}
          - {id: q1, points: 1, prompt: P, kind: value, expected: 1, check: nope}
        """
    )
    found = problems_of(folder)
    assert any(":3: error: `pass_mark` must be a fraction" in p for p in found)
    assert any(":4: error: `cell_seconds` must be a number above 0" in p for p in found)
    assert any(":4: error: unknown limit `gpus`" in p for p in found)
    assert any(":4: error: `total_seconds` can be at most 600 (10 minutes)" in p for p in found)
    assert any(":6: error: a `sql` question needs a `reference:` query" in p for p in found)
    assert any(
        ":7: error: a `value` question needs either `reference:` or `expected:`" in p for p in found
    )
    assert any(":8: error: a `python` question needs `check:`" in p for p in found)
    assert any(":9: error: question id 'Q-4' must be lower-case" in p for p in found)
    assert any(":9: error: `order_matters` must be true or false" in p for p in found)
    assert any(":10: warning: `check` does not apply to a value question" in p for p in found)
    assert any(":10: error: duplicate question id 'q1'" in p for p in found)


def test_the_starter_needs_an_answer_cell_per_question_and_no_unknown_ones(write_exercise):
    folder = write_exercise(starter={"q1": "answer_q1 = ''", "q9": "answer_q9 = 1"})
    found = problems_of(folder)
    assert any(
        p.startswith("exercises/simple/starter.ipynb:")
        and "answer cell for unknown question 'q9'" in p
        for p in found
    )
    assert any("starter.ipynb:1: error: no answer cell for question 'q2'" in p for p in found)


def test_the_solution_is_required_and_checked_like_the_starter(write_exercise):
    folder = write_exercise()
    (folder / "solution.ipynb").unlink()
    assert problems_of(folder) == [
        "exercises/simple/solution.ipynb:1: error: solution.ipynb is missing"
    ]
    (folder / "solution.ipynb").write_text("{not json")
    [problem] = problems_of(folder)
    assert "solution.ipynb:1: error: the file is not JSON" in problem


def test_a_wrong_variant_may_skip_questions_but_not_invent_them(write_exercise):
    folder = write_exercise(wrong={"only-q1": {"q1": "answer_q1 = 'x'"}})
    assert problems_of(folder) == []
    folder = write_exercise(wrong={"bad": {"q7": "answer_q7 = 'x'"}})
    assert any("wrong/bad.ipynb" in p and "unknown question 'q7'" in p for p in problems_of(folder))


def test_python_questions_need_their_check_in_checks_py(write_exercise):
    yaml_text = (
        SIMPLE_YAML
        + """\
  - id: q3
    points: 1
    kind: python
    prompt: Anything
    check: check_q3
"""
    )
    solution = {**SIMPLE_SOLUTION, "q3": "answer_q3 = 1"}
    starter = {"q1": "", "q2": "", "q3": ""}
    folder = write_exercise(yaml_text=yaml_text, solution=solution, starter=starter)
    assert any("checks.py is missing" in p for p in problems_of(folder))
    folder = write_exercise(
        yaml_text=yaml_text,
        solution=solution,
        starter=starter,
        checks="def other(answer, lake):\n    return True\n",
    )
    assert any("checks.py has no function 'check_q3'" in p for p in problems_of(folder))
    folder = write_exercise(
        yaml_text=yaml_text, solution=solution, starter=starter, checks="import nothing_here\n"
    )
    assert any(
        "checks.py cannot be imported: ModuleNotFoundError" in p for p in problems_of(folder)
    )


def test_a_folder_of_exercises_and_the_courses_that_list_them(write_exercise, tmp_path):
    write_exercise("alpha")
    (tmp_path / "exercises" / "beta").mkdir()
    found = load_exercises(tmp_path / "exercises", known_modules={"SQ101"})
    assert [e.id for e in found.exercises] == ["alpha"]
    assert [str(p) for p in found.problems] == [
        "exercises/beta/exercise.yaml:1: error: exercise.yaml is missing"
    ]
    links = {
        "SQ101": ("courses/sq101.md", ("alpha", "gamma"), 9),
        "DP101": ("courses/dp101.md", ("alpha",), 4),
    }
    assert [str(p) for p in check_course_links(found, links)] == [
        "courses/dp101.md:4: error: exercise 'alpha' belongs to SQ101",
        "courses/sq101.md:9: error: unknown exercise 'gamma'",
    ]
    unlisted = check_course_links(found, {"SQ101": ("courses/sq101.md", (), 1)})
    assert [p.severity for p in unlisted] == [Severity.WARNING]
    assert "SQ101 does not list this exercise" in unlisted[0].message

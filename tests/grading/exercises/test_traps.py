"""Exercise traps: declared in exercise.yaml, checked by name, and proven on the lake."""

from __future__ import annotations

import pytest

from app.grading.exercises.classic import CLASSIC_TRAPS
from app.grading.exercises.load import check_trap_coverage, load_exercise, load_exercises
from app.grading.exercises.verify import check_grades
from app.grading.sandbox.local_runner import execute_locally
from tests.grading.support import SIMPLE_SOLUTION, SIMPLE_YAML

# q1 right, q2 wrong: 2 of 3 points, above the pass mark of 1.8.
Q2_WRONG = {"q1": SIMPLE_SOLUTION["q1"], "q2": "answer_q2 = 99"}
# q2 right, q1 wrong: 1 of 3 points, below the pass mark.
Q1_WRONG = {"q1": 'answer_q1 = "SELECT product_code FROM trusted.product LIMIT 1"',
            "q2": SIMPLE_SOLUTION["q2"]}  # fmt: skip

TRAPS = """\
traps:
  - wrong: first-one
    question: q1
    classic: raw-duplicates
    says: keeps only the first product
  - wrong: miscounted
    question: q2
    says: counts the wrong thing
"""


def problems_of(folder) -> list[str]:
    """Each problem of loading an exercise folder, as text."""
    return [str(p) for p in load_exercise(folder)[1]]


def test_traps_are_read_with_their_lines(write_exercise):
    folder = write_exercise(
        yaml_text=SIMPLE_YAML + TRAPS, wrong={"first-one": Q1_WRONG, "miscounted": Q2_WRONG}
    )
    exercise, problems = load_exercise(folder)
    assert problems == []
    first, second = exercise.traps
    assert (first.wrong, first.question, first.classic) == ("first-one", "q1", "raw-duplicates")
    assert (second.classic, second.says) == (None, "counts the wrong thing")
    assert first.line == SIMPLE_YAML.count("\n") + 2
    assert exercise.trap_for(folder / "wrong" / "miscounted.ipynb") == second


def test_unknown_variants_questions_and_classic_traps_are_errors_at_their_line(write_exercise):
    bad = """\
traps:
  - wrong: nowhere
    question: q1
    says: x
  - wrong: miscounted
    question: q9
    says: y
  - wrong: miscounted
    question: q2
    classic: off-by-one
    says: z
  - wrong: miscounted
    question: q2
"""
    folder = write_exercise(yaml_text=SIMPLE_YAML + bad, wrong={"miscounted": Q2_WRONG})
    start = SIMPLE_YAML.count("\n")
    path = "exercises/simple/exercise.yaml"
    assert problems_of(folder) == [
        f"{path}:{start + 2}: error: unknown wrong variant 'nowhere': there is no "
        "wrong/nowhere.ipynb",
        f"{path}:{start + 6}: error: trap names unknown question 'q9'",
        f"{path}:{start + 10}: error: unknown classic trap 'off-by-one' (known: "
        + ", ".join(CLASSIC_TRAPS)
        + ")",
        f"{path}:{start + 12}: error: a trap needs `says`",
    ]


def test_check_wants_two_wrong_variants_each_with_a_trap(write_exercise, tmp_path):
    one_trap = TRAPS.split("  - wrong: miscounted")[0]
    write_exercise(yaml_text=SIMPLE_YAML + one_trap, wrong={"first-one": Q1_WRONG})
    write_exercise(
        "other",
        yaml_text=SIMPLE_YAML + one_trap,
        wrong={"first-one": Q1_WRONG, "miscounted": Q2_WRONG},
    )
    found = load_exercises(tmp_path / "exercises")
    assert found.problems == []  # still served: coverage is academy check's rule
    messages = [f"{p.path}: {p.message}" for p in check_trap_coverage(found)]
    assert messages == [
        "exercises/other/exercise.yaml: exercise other: wrong/miscounted.ipynb has no "
        "`traps:` entry saying which question it gets wrong",
        "exercises/simple/exercise.yaml: exercise simple: an exercise needs at least 2 wrong "
        "variants in wrong/, each written the way a learner errs; it has 1",
    ]


@pytest.mark.slow
def test_check_proves_each_trap_in_a_real_kernel(write_exercise, lake_dir, tmp_path):
    # "miscounted" fails q2 but still passes; "lucky" is said to fail q1 but gets it right.
    traps = TRAPS.replace("wrong: first-one", "wrong: lucky")
    folder = write_exercise(
        yaml_text=SIMPLE_YAML + traps,
        wrong={"lucky": Q2_WRONG, "miscounted": Q2_WRONG},
    )
    exercise, problems = load_exercise(folder)
    assert problems == []
    found = check_grades(exercise, execute_locally, lake_dir, tmp_path / "exercises")
    assert [(p.path, p.message) for p in found] == [
        (
            "exercises/simple/wrong/lucky.ipynb",
            "exercise simple: wrong variant 'lucky' does not prove its trap on q1 (keeps only "
            "the first product): q1 is right; it scores 2, not below the pass mark "
            "(1.8): q2: the number is not right; right: q1",
        ),
        (
            "exercises/simple/wrong/miscounted.ipynb",
            "exercise simple: wrong variant 'miscounted' does not prove its trap on q2 (counts "
            "the wrong thing): it scores 2, not below the pass mark (1.8): q2: the number is "
            "not right; right: q1",
        ),
    ]
    (folder / "wrong" / "lucky.ipynb").unlink()
    both_wrong = {"q1": Q1_WRONG["q1"], "q2": Q2_WRONG["q2"]}
    write_exercise(
        yaml_text=SIMPLE_YAML + TRAPS, wrong={"first-one": Q1_WRONG, "miscounted": both_wrong}
    )
    exercise, _ = load_exercise(folder)
    assert check_grades(exercise, execute_locally, lake_dir, tmp_path / "exercises") == []

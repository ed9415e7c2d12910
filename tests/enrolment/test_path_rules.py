"""What a learner is missing, and what to take next."""

from app.enrolment.rules import PathStep, missing_prerequisites, next_steps, prerequisite_closure

INTRO = PathStep("DP101", 100, True, ())
ZONES = PathStep("DP102", 100, True, ("DP101",))
JOINS = PathStep("DM201", 200, True, ("DP102", "SQ101"))
SQL = PathStep("SQ101", 100, True, ("DP101",))
STUB = PathStep("DS301", 300, False, ("DM201",))
PATH = [JOINS, ZONES, INTRO, SQL, STUB]


def test_missing_prerequisites_are_named_in_order():
    assert missing_prerequisites(JOINS.prerequisites, []) == ("DP102", "SQ101")
    assert missing_prerequisites(JOINS.prerequisites, ["SQ101"]) == ("DP102",)
    assert missing_prerequisites(JOINS.prerequisites, ["SQ101", "DP102"]) == ()


def test_a_new_learner_starts_at_the_introduction():
    assert [s.code for s in next_steps(PATH, [])] == ["DP101"]


def test_completing_modules_unlocks_the_next():
    assert [s.code for s in next_steps(PATH, ["DP101"])] == ["DP102", "SQ101"]
    assert [s.code for s in next_steps(PATH, ["DP101", "DP102", "SQ101"])] == ["DM201"]


def test_planned_modules_are_never_suggested():
    done = ["DP101", "DP102", "SQ101", "DM201"]
    assert next_steps(PATH, done) == []


def test_closure_follows_prerequisites_and_survives_cycles():
    needs = {"C": ["B"], "B": ["A"], "A": ["C"], "D": []}
    assert prerequisite_closure(["C"], needs) == {"A", "B", "C"}
    assert prerequisite_closure(["D"], needs) == {"D"}

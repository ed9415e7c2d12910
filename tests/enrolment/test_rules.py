"""The pure rules for enrolling and completing."""

from app.enrolment.rules import CompletionEvidence, decide_enrolment, is_complete, waitlist_position


def test_enrolment_needs_every_prerequisite():
    decision = decide_enrolment("published", ["SQ101", "DP102"], ["DP102"])
    assert not decision.allowed
    assert decision.missing == ("SQ101",)
    assert decide_enrolment("published", ["SQ101", "DP102"], ["DP102", "SQ101"]).allowed


def test_an_override_lets_a_learner_in_without_prerequisites():
    assert decide_enrolment("published", ["SQ101"], [], override=True).allowed


def test_planned_and_retired_modules_cannot_be_taken_even_with_an_override():
    assert not decide_enrolment("planned", [], [], override=True).allowed
    assert "register interest" in decide_enrolment("planned", [], []).reason
    assert not decide_enrolment("retired", [], [], override=True).allowed


def test_completion_by_instructor_or_by_every_required_exercise():
    assert is_complete(CompletionEvidence(marked_by_instructor=True))
    assert not is_complete(CompletionEvidence())
    required = frozenset({"ex1", "ex2"})
    assert not is_complete(
        CompletionEvidence(required_exercises=required, passed_exercises=frozenset({"ex1"}))
    )
    assert is_complete(
        CompletionEvidence(
            required_exercises=required, passed_exercises=frozenset({"ex1", "ex2", "ex3"})
        )
    )


def test_waitlist_position():
    assert waitlist_position([7, 3, 9], 3) == 2
    assert waitlist_position([7, 3, 9], 4) is None

"""Enrolling, overriding, withdrawing and completing."""

import pytest

from app.enrolment.services import (
    EnrolmentRefused,
    completed_ids,
    completers,
    completions_of,
    enrol,
    mark_complete,
    override_enrol,
    unmark_complete,
    withdraw,
)
from app.extensions import db
from tests.factories import make_module, make_user


@pytest.fixture
def modules(app):
    intro = make_module("DP101")
    sql = make_module("SQ101", prerequisites=(intro,))
    joins = make_module("DM201", level=200, prerequisites=(intro, sql))
    return intro, sql, joins


def test_enrol_is_refused_naming_the_missing_prerequisites(modules):
    intro, sql, joins = modules
    learner = make_user()
    with pytest.raises(EnrolmentRefused) as refused:
        enrol(learner, joins)
    assert refused.value.decision.missing == ("DP101", "SQ101")


def test_completing_a_module_unlocks_what_needs_it(modules):
    intro, sql, joins = modules
    learner = make_user()
    mark_complete(learner, intro)
    with pytest.raises(EnrolmentRefused) as refused:
        enrol(learner, joins)
    assert refused.value.decision.missing == ("SQ101",)
    mark_complete(learner, sql)
    assert enrol(learner, joins).is_active


def test_enrolling_twice_is_a_no_op_and_withdrawing_then_returning_reuses_it(modules):
    intro, _, _ = modules
    learner = make_user()
    first = enrol(learner, intro)
    assert enrol(learner, intro).id == first.id
    assert withdraw(learner, intro)
    assert not first.is_active
    assert not withdraw(learner, intro)
    assert enrol(learner, intro).id == first.id
    assert first.is_active


def test_override_records_who_and_why(modules):
    _, _, joins = modules
    learner, instructor = make_user(), make_user(role="instructor")
    enrolment = override_enrol(learner, joins, instructor, "  Runs the SQL guild already  ")
    db.session.commit()
    assert enrolment.override_by_id == instructor.id
    assert enrolment.override_reason == "Runs the SQL guild already"
    # Once waived, leaving and coming back does not ask for the prerequisites again.
    withdraw(learner, joins)
    assert enrol(learner, joins).is_active


def test_planned_modules_cannot_be_overridden(app):
    stub = make_module("DS301", level=300, planned=True)
    with pytest.raises(EnrolmentRefused):
        override_enrol(make_user(), stub, make_user(role="admin"), "because")


def test_completion_is_recorded_once_and_can_be_undone(modules):
    intro, _, _ = modules
    learner = make_user()
    assert mark_complete(learner, intro).id == mark_complete(learner, intro).id
    assert unmark_complete(learner, intro)
    assert not unmark_complete(learner, intro)


def test_completions_are_read_through_the_enrolment_services(app):
    first, second = make_module("DP101"), make_module("DP102")
    learner, other = make_user(), make_user()
    mark_complete(learner, first)
    mark_complete(learner, second, source="exercises")
    mark_complete(other, first)
    db.session.commit()
    assert completed_ids(learner.id) == {first.id, second.id}
    assert completed_ids(learner.id, [second.id]) == {second.id}
    assert completed_ids(learner.id, []) == set()
    assert completers(first.id) == {learner.id, other.id}
    assert {m.code for _, m in completions_of(learner.id)} == {"DP101", "DP102"}

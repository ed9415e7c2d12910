"""Interest in planned modules, threshold crossings and publication news."""

import pytest

from app.accounts.models import Role
from app.demand.services import (
    DemandError,
    announce_published,
    demand_ranking,
    interest_count,
    register_interest,
    teachers_of,
    withdraw_interest,
)
from app.extensions import db
from tests.factories import make_module, make_user, notifications_for


@pytest.fixture
def stub(app):
    module = make_module("DS301", level=300, planned=True, title="Click-through modelling")
    module.demand_threshold = 3
    module.instructors = ["teacher@example.com"]
    db.session.commit()
    return module


@pytest.fixture
def teachers(app):
    return (
        make_user("teacher@example.com", role=Role.INSTRUCTOR),
        make_user("admin@example.com", role=Role.ADMIN, persona=None),
        make_user("other-teacher@example.com", role=Role.INSTRUCTOR),
    )


def test_interest_is_once_per_learner_and_a_new_note_replaces_the_old(stub):
    learner = make_user()
    first = register_interest(learner, stub, "  How do I pick features?  ")
    again = register_interest(learner, stub, None)
    assert again.id == first.id and first.note == "How do I pick features?"
    register_interest(learner, stub, "Model evaluation")
    assert first.note == "Model evaluation"
    assert interest_count(stub.id) == 1


def test_interest_only_in_planned_modules(app):
    published = make_module("DP101")
    with pytest.raises(DemandError):
        register_interest(make_user(), published)


def test_withdrawing(stub):
    learner = make_user()
    register_interest(learner, stub)
    assert withdraw_interest(learner, stub)
    assert not withdraw_interest(learner, stub)
    assert interest_count(stub.id) == 0


def test_teachers_are_the_modules_instructors_and_the_admins(stub, teachers):
    teacher, admin, other = teachers
    assert {u.email for u in teachers_of(stub)} == {teacher.email, admin.email}


def test_crossing_the_threshold_notifies_teachers_once(stub, teachers):
    teacher, admin, other = teachers
    learners = [make_user() for _ in range(5)]
    register_interest(learners[0], stub)
    register_interest(learners[1], stub)
    assert notifications_for(teacher, "demand") == []
    register_interest(learners[2], stub)  # the third reaches the threshold of 3
    db.session.commit()
    assert stub.in_demand_at is not None
    assert len(notifications_for(teacher, "demand")) == 1
    assert len(notifications_for(admin, "demand")) == 1
    assert notifications_for(other, "demand") == []
    assert "DS301 Click-through modelling is in demand: 3 learners" in (
        notifications_for(admin, "demand")[0].message
    )
    register_interest(learners[3], stub)
    register_interest(learners[4], stub)
    assert len(notifications_for(teacher, "demand")) == 1


def test_falling_below_and_crossing_again_is_a_new_crossing(stub, teachers):
    teacher = teachers[0]
    learners = [make_user() for _ in range(3)]
    for learner in learners:
        register_interest(learner, stub)
    withdraw_interest(learners[0], stub)
    db.session.refresh(stub)
    assert stub.in_demand_at is None
    register_interest(learners[0], stub)
    assert len(notifications_for(teacher, "demand")) == 2


def test_site_default_threshold_applies_when_the_module_has_none(make_app):
    app = make_app(ACADEMY_DEMAND_THRESHOLD=2)
    with app.app_context():
        stub = make_module("DS302", level=300, planned=True)
        admin = make_user("a@example.com", role=Role.ADMIN)
        register_interest(make_user(), stub)
        assert notifications_for(admin, "demand") == []
        register_interest(make_user(), stub)
        assert len(notifications_for(admin, "demand")) == 1


def test_publication_tells_everyone_interested(stub):
    keen = [make_user() for _ in range(2)]
    gone = make_user(active=False)
    for learner in (*keen, gone):
        register_interest(learner, stub)
    stub.status = "published"
    assert announce_published(["DS301"]) == 2
    (note,) = notifications_for(keen[0], "published")
    assert note.link == "/modules/DS301" and "Enrol" in note.message
    assert notifications_for(gone, "published") == []


def test_ranking_puts_the_most_wanted_first_with_notes(app):
    a = make_module("AA301", level=300, planned=True)
    b = make_module("BB301", level=300, planned=True)
    make_module("CC101")  # published: not ranked
    learners = [make_user(name=f"L{i}") for i in range(8)]
    register_interest(learners[0], a, "first note")
    for i, learner in enumerate(learners[1:], start=1):
        register_interest(learner, b, f"note {i}")
    rows = demand_ranking(notes_per_module=3).rows
    assert [r.code for r in rows] == ["BB301", "AA301"]
    assert rows[0].interested == 7 and len(rows[0].notes) == 3
    assert rows[0].notes[0] == ("L7", "note 7")
    assert rows[1].notes == [("L0", "first note")]
    second_page = demand_ranking(page=2, per_page=1)
    assert [r.code for r in second_page.rows] == ["AA301"]
    assert (second_page.page, second_page.pages, second_page.total) == (2, 2, 2)

"""``flask academy demo`` creates an account per persona, an instructor and an admin."""

from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.extensions import db
from app.personas import SLUGS


def test_demo_accounts_cover_every_persona_and_role(runner):
    result = runner.invoke(args=["academy", "demo"])
    assert result.exit_code == 0, result.output
    users = db.session.scalars(select(User)).all()
    assert {u.persona for u in users if u.role == Role.LEARNER} == set(SLUGS)
    assert {u.role for u in users} == {Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN}
    assert "admin@academy.example" in result.output
    assert "academy-demo" in result.output
    assert all(u.check_password("academy-demo") for u in users)


def test_demo_is_idempotent(runner):
    runner.invoke(args=["academy", "demo"])
    again = runner.invoke(args=["academy", "demo"])
    assert again.exit_code == 0
    assert "exists" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 8


def test_demo_schedules_sessions_for_published_modules_once(runner, courses_dir):
    from app.enrolment.models import ClassSession
    from tests.factories import course_text, write_course

    write_course(courses_dir, "dp101.md", course_text("DP101", body="Hello"))
    runner.invoke(args=["academy", "sync"])
    first = runner.invoke(args=["academy", "demo"])
    assert "Scheduled 2 demo class session(s)." in first.output
    runner.invoke(args=["academy", "demo"])
    assert db.session.scalar(select(func.count()).select_from(ClassSession)) == 2

"""Small builders for test data: a learner, a module, a completion, a course file."""

from __future__ import annotations

import itertools
from pathlib import Path
from textwrap import dedent

from werkzeug.security import generate_password_hash

from app.accounts.models import Role, User
from app.catalogue.models import Module, ModulePersona, ModuleStatus
from app.enrolment.models import Completion
from app.extensions import db

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; hash once and share it across test users.
_PASSWORD_HASH = generate_password_hash(PASSWORD)
_seq = itertools.count(1)


def make_user(
    email: str | None = None,
    *,
    persona: str | None = "analyst",
    role: Role = Role.LEARNER,
    active: bool = True,
    name: str | None = None,
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.com",
        name=name or f"User {n}",
        persona=persona,
        role=role,
        active=active,
    )
    user.password_hash = _PASSWORD_HASH
    db.session.add(user)
    db.session.commit()
    return user


def make_module(
    code: str,
    *,
    level: int = 100,
    personas: tuple[str, ...] = ("analyst",),
    prerequisites: tuple[Module, ...] = (),
    planned: bool = False,
    title: str | None = None,
) -> Module:
    module = Module(
        code=code,
        title=title or f"Module {code}",
        level=level,
        summary=f"What {code} teaches.",
        outcomes=[],
        instructors=[],
        exercises=[],
        body_markdown="" if planned else f"Body of {code}.",
        body_html="" if planned else f"<p>Body of {code}.</p>",
        status=(ModuleStatus.PLANNED if planned else ModuleStatus.PUBLISHED).value,
        source_path=f"courses/{code.lower()}.md",
        content_hash="x",
    )
    module.persona_links = [ModulePersona(persona=p) for p in personas]
    module.prerequisites = list(prerequisites)
    db.session.add(module)
    db.session.commit()
    return module


def complete(user: User, module: Module) -> Completion:
    completion = Completion(user_id=user.id, module_id=module.id)
    db.session.add(completion)
    db.session.commit()
    return completion


def course_text(
    code: str,
    *,
    title: str | None = None,
    level: int = 100,
    personas: str = "[Analyst]",
    prerequisites: str = "[]",
    body: str = "",
    extra: str = "",
) -> str:
    front = dedent(
        f"""\
        ---
        code: {code}
        title: {title or "Module " + code}
        level: {level}
        personas: {personas}
        summary: What {code} teaches.
        prerequisites: {prerequisites}
        """
    )
    return front + extra + "---\n" + body


def write_course(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def make_session(module: Module, *, capacity: int = 2, days: int = 7, instructor=None):
    """A class session ``days`` from now."""
    from datetime import timedelta

    from app.accounts.models import utcnow
    from app.enrolment.models import ClassSession

    session = ClassSession(
        module_id=module.id,
        starts_at=utcnow() + timedelta(days=days),
        duration_minutes=90,
        capacity=capacity,
        seats_taken=0,
        location="Room 4",
        instructor_id=instructor.id if instructor else None,
    )
    db.session.add(session)
    db.session.commit()
    return session


def notifications_for(user: User, kind: str | None = None) -> list:
    """The in-app notifications a user has received (optionally of one kind)."""
    from sqlalchemy import select

    from app.notifications.models import Notification

    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))

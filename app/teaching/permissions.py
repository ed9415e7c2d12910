"""Who may teach what: pure checks used by the teaching views."""

from __future__ import annotations

from app.accounts.models import User
from app.catalogue.models import Module
from app.enrolment.models import ClassSession


def can_teach(user: User, module: Module) -> bool:
    """Admins teach everything; instructors teach the modules whose file names them."""
    if user.is_admin:
        return True
    return user.is_instructor and user.email.lower() in {e.lower() for e in module.instructors}


def can_run(user: User, session: ClassSession) -> bool:
    """A session is run by its instructor, or by anyone who teaches its module."""
    return (user.is_instructor and session.instructor_id == user.id) or can_teach(
        user, session.module
    )

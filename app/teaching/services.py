"""What the teaching pages read: the modules and sessions an instructor runs, and rosters.

Queries only; the changes instructors make go through the enrolment services.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User, utcnow
from app.catalogue.models import Module, ModuleStatus
from app.enrolment.models import ClassSession, Enrolment
from app.enrolment.services import completers
from app.extensions import db
from app.teaching.permissions import can_teach


def modules_taught_by(user: User) -> list[Module]:
    """The live modules this user teaches, by level then code."""
    live = db.session.scalars(
        select(Module)
        .where(Module.status != ModuleStatus.RETIRED)
        .order_by(Module.level, Module.code)
    )
    return [m for m in live if can_teach(user, m)]


def upcoming_sessions_for(user: User, modules: list[Module]) -> list[ClassSession]:
    """Future, uncancelled sessions of these modules or run by this user, soonest first."""
    return list(
        db.session.scalars(
            select(ClassSession)
            .where(ClassSession.starts_at > utcnow(), ClassSession.cancelled_at.is_(None))
            .where(
                ClassSession.module_id.in_([m.id for m in modules])
                | (ClassSession.instructor_id == user.id)
            )
            .options(joinedload(ClassSession.module))
            .order_by(ClassSession.starts_at)
        )
    )


@dataclass(frozen=True)
class ModuleRoster:
    """A module's enrolments (oldest first), who completed it, and all its sessions."""

    enrolments: list[Enrolment]
    completed: set[int]
    sessions: list[ClassSession]


def module_roster(module: Module) -> ModuleRoster:
    """Everything the instructors' module page lists."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.module_id == module.id)
        .options(joinedload(Enrolment.user), joinedload(Enrolment.override_by))
        .order_by(Enrolment.created_at)
    ).all()
    sessions = db.session.scalars(
        select(ClassSession)
        .where(ClassSession.module_id == module.id)
        .order_by(ClassSession.starts_at)
    ).all()
    return ModuleRoster(list(enrolments), completers(module.id), list(sessions))

"""Enrolling in modules and completing them. Services add and flush; callers commit.

Completions are written and read here only: other areas ask these functions.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User, utcnow
from app.catalogue.models import Module
from app.enrolment.models import Completion, Enrolment, EnrolmentStatus
from app.enrolment.rules import EnrolmentDecision, decide_enrolment
from app.extensions import db


class EnrolmentRefused(Exception):
    """The rules say no; ``decision`` says why and what is missing."""

    def __init__(self, decision: EnrolmentDecision):
        self.decision = decision
        super().__init__(decision.reason)


def completed_codes(user_id: int) -> set[str]:
    """Codes of every module the learner has completed."""
    return set(
        db.session.scalars(
            select(Module.code)
            .join(Completion, Completion.module_id == Module.id)
            .where(Completion.user_id == user_id)
        )
    )


def completed_ids(user_id: int, module_ids: list[int] | None = None) -> set[int]:
    """Ids of the modules a learner completed (among ``module_ids`` if given)."""
    query = select(Completion.module_id).where(Completion.user_id == user_id)
    if module_ids is not None:
        if not module_ids:
            return set()
        query = query.where(Completion.module_id.in_(module_ids))
    return set(db.session.scalars(query))


def completers(module_id: int) -> set[int]:
    """Ids of the learners who completed a module."""
    return set(
        db.session.scalars(select(Completion.user_id).where(Completion.module_id == module_id))
    )


def completions_of(user_id: int) -> list[tuple[Completion, Module]]:
    """A learner's completions with their modules, the latest first."""
    return [
        (completion, module)
        for completion, module in db.session.execute(
            select(Completion, Module)
            .join(Module, Module.id == Completion.module_id)
            .where(Completion.user_id == user_id)
            .order_by(Completion.completed_at.desc())
        )
    ]


def completion_for(user_id: int, module_id: int) -> Completion | None:
    return db.session.scalar(
        select(Completion).where(Completion.user_id == user_id, Completion.module_id == module_id)
    )


def enrolment_for(user_id: int, module_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.module_id == module_id)
    )


def check_enrolment(user: User, module: Module) -> EnrolmentDecision:
    """Would the rules let this learner enrol now?"""
    existing = enrolment_for(user.id, module.id)
    override = existing is not None and existing.override_by_id is not None
    return decide_enrolment(
        module.status,
        [m.code for m in module.prerequisites],
        completed_codes(user.id),
        override=override,
    )


def enrol(user: User, module: Module) -> Enrolment:
    """Enrol a learner, or raise EnrolmentRefused; enrolling twice is a no-op."""
    existing = enrolment_for(user.id, module.id)
    if existing is not None and existing.is_active:
        return existing
    decision = check_enrolment(user, module)
    if not decision.allowed:
        raise EnrolmentRefused(decision)
    return _activate(existing, user, module)


def override_enrol(learner: User, module: Module, by: User, reason: str) -> Enrolment:
    """Enrol a learner without the prerequisites, recording who decided and why."""
    decision = decide_enrolment(module.status, [], [], override=True)
    if not decision.allowed:
        raise EnrolmentRefused(decision)
    enrolment = _activate(enrolment_for(learner.id, module.id), learner, module)
    enrolment.override_by_id = by.id
    enrolment.override_reason = reason.strip()
    db.session.flush()
    return enrolment


def _activate(existing: Enrolment | None, user: User, module: Module) -> Enrolment:
    if existing is None:
        existing = _new_enrolment(user, module)
    existing.status = EnrolmentStatus.ACTIVE.value
    existing.withdrawn_at = None
    db.session.flush()
    return existing


def _new_enrolment(user: User, module: Module) -> Enrolment:
    """Insert the enrolment, or take the one the learner's simultaneous request inserted."""
    enrolment = Enrolment(user_id=user.id, module_id=module.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:
        found = enrolment_for(user.id, module.id)
        assert found is not None
        return found
    return enrolment


def withdraw(user: User, module: Module) -> bool:
    """Leave a module; False if the learner wasn't enrolled."""
    existing = enrolment_for(user.id, module.id)
    if existing is None or not existing.is_active:
        return False
    existing.status = EnrolmentStatus.WITHDRAWN.value
    existing.withdrawn_at = utcnow()
    db.session.flush()
    return True


def mark_complete(user: User, module: Module, source: str = "instructor") -> Completion:
    """Record that a learner completed a module (once); it unlocks what needs it."""
    existing = completion_for(user.id, module.id)
    if existing is not None:
        return existing
    completion = Completion(user_id=user.id, module_id=module.id, source=source)
    db.session.add(completion)
    db.session.flush()
    return completion


def unmark_complete(user: User, module: Module) -> bool:
    """Undo a completion recorded by mistake."""
    existing = completion_for(user.id, module.id)
    if existing is None:
        return False
    db.session.delete(existing)
    db.session.flush()
    return True

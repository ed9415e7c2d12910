"""Nominating colleagues for modules, and answering nominations. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User, utcnow
from app.accounts.services import find_by_email
from app.catalogue.models import Module, ModuleStatus
from app.enrolment.models import Enrolment
from app.enrolment.services import enrol
from app.extensions import db
from app.nominations.models import Nomination, NominationStatus
from app.notifications.services import notify


class NominationError(Exception):
    """A nomination the rules refuse."""


def nominate(nominator: User, nominee_email: str, module: Module, reason: str) -> Nomination:
    """Suggest a module to a colleague, who is told; the same nomination twice is refused."""
    if module.status == ModuleStatus.RETIRED:
        raise NominationError("This module has been retired.")
    nominee = find_by_email(nominee_email)
    if nominee is None or not nominee.active:
        raise NominationError("There is no active colleague with that email.")
    if nominee.id == nominator.id:
        raise NominationError("You can't nominate yourself; just enrol.")
    duplicate = db.session.scalar(
        select(Nomination).where(
            Nomination.module_id == module.id,
            Nomination.nominator_id == nominator.id,
            Nomination.nominee_id == nominee.id,
        )
    )
    if duplicate is not None:
        raise NominationError(f"You have already nominated {nominee.name} for {module.code}.")
    nomination = Nomination(
        module_id=module.id, nominator_id=nominator.id, nominee_id=nominee.id, reason=reason.strip()
    )
    db.session.add(nomination)
    db.session.flush()
    notify(
        nominee,
        kind="nomination",
        message=f"{nominator.name} nominated you for {module.code} {module.title}: "
        f"“{nomination.reason}”",
        link="/learning",
        subject=f"{nominator.name} thinks you'd like {module.code}",
    )
    return nomination


def accept(nomination: Nomination) -> Enrolment:
    """Enrol from a nomination (the prerequisite rules still apply)."""
    enrolment = enrol(nomination.nominee, nomination.module)
    nomination.status = NominationStatus.ACCEPTED.value
    nomination.responded_at = utcnow()
    nomination.enrolment_id = enrolment.id
    db.session.flush()
    return enrolment


def decline(nomination: Nomination) -> None:
    """Say no, thanks."""
    nomination.status = NominationStatus.DECLINED.value
    nomination.responded_at = utcnow()
    db.session.flush()


def received(user_id: int) -> list[Nomination]:
    """Nominations a learner has received, newest first, with who and what."""
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.nominee_id == user_id)
            .options(joinedload(Nomination.nominator), joinedload(Nomination.module))
            .order_by(Nomination.created_at.desc(), Nomination.id.desc())
        )
    )


@dataclass(frozen=True)
class NominationSummary:
    """How nominations are doing across the academy."""

    total: int
    accepted: int
    declined: int
    pending: int

    @property
    def conversion(self) -> float:
        """Share of nominations that became enrolments."""
        return self.accepted / self.total if self.total else 0.0


def summary() -> NominationSummary:
    counts = dict(
        db.session.execute(
            select(Nomination.status, func.count()).group_by(Nomination.status)
        ).all()
    )
    return NominationSummary(
        total=sum(counts.values()),
        accepted=counts.get(NominationStatus.ACCEPTED, 0),
        declined=counts.get(NominationStatus.DECLINED, 0),
        pending=counts.get(NominationStatus.PENDING, 0),
    )


def all_nominations(page: int, per_page: int = 50):
    """Who nominated whom for what, newest first, a page at a time."""
    query = (
        select(Nomination)
        .options(
            joinedload(Nomination.nominator),
            joinedload(Nomination.nominee),
            joinedload(Nomination.module),
        )
        .order_by(Nomination.created_at.desc(), Nomination.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)

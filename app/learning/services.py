"""What a learner's "my learning" page shows, read from the areas that own each part.

A page model only: it reads through other areas' services and nothing imports it
but the learning page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User, utcnow
from app.catalogue.models import Module
from app.catalogue.services import ModuleCard, persona_path
from app.demand.models import Interest
from app.enrolment.models import Booking, BookingStatus, ClassSession, Completion, Enrolment
from app.enrolment.participation import SessionView, queue_positions
from app.enrolment.rules import next_steps
from app.enrolment.services import completions_of
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import received


@dataclass
class MyLearning:
    """Everything on a learner's "my learning" page."""

    enrolments: list[Enrolment]
    completions: list[tuple[Completion, Module]]
    bookings: list[SessionView]
    interests: list[tuple[Interest, Module]]
    nominations: list[Nomination]
    suggestions: list[ModuleCard]


def my_learning(user: User) -> MyLearning:
    """A learner's enrolments, sessions, completions, interests, nominations and next steps."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user.id)
            .options(joinedload(Enrolment.module), joinedload(Enrolment.override_by))
            .order_by(Enrolment.created_at.desc())
        )
    )
    completions = completions_of(user.id)
    bookings = list(
        db.session.scalars(
            select(Booking)
            .join(ClassSession, ClassSession.id == Booking.session_id)
            .where(
                Booking.user_id == user.id,
                Booking.status != BookingStatus.CANCELLED,
                ClassSession.starts_at > utcnow(),
            )
            .options(joinedload(Booking.session).joinedload(ClassSession.module))
            .order_by(ClassSession.starts_at)
        )
    )
    positions = queue_positions(bookings)
    interests = list(
        db.session.execute(
            select(Interest, Module)
            .join(Module, Module.id == Interest.module_id)
            .where(Interest.user_id == user.id)
            .order_by(Interest.created_at.desc())
        )
    )
    suggestions: list[ModuleCard] = []
    if user.persona:
        path = persona_path(user.persona)
        done = {m.code for _, m in completions}
        by_code = {c.code: c for c in path.cards}
        suggestions = [by_code[s.code] for s in next_steps(path.steps(), done)]
    return MyLearning(
        enrolments=enrolments,
        completions=completions,
        bookings=[SessionView(b.session, b, positions.get(b.id)) for b in bookings],
        interests=interests,
        nominations=received(user.id),
        suggestions=suggestions,
    )

"""Demo class sessions, so the demo site has something to book."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import User, utcnow
from app.catalogue.models import Module, ModuleStatus
from app.enrolment.models import ClassSession
from app.enrolment.sessions import schedule
from app.extensions import db

# (module code, days from now, hour UTC, seats, room; None means online)
DEMO_SESSIONS = [
    ("DP101", 3, 10, 12, "Training room 1"),
    ("DP101", 17, 14, 12, None),
    ("SQ101", 5, 10, 2, "Training room 2"),
    ("DM201", 10, 13, 8, "Training room 1"),
]


def ensure_demo_sessions(instructor: User | None) -> int:
    """Schedule the demo sessions unless the academy already has sessions; how many were added."""
    if db.session.scalar(select(ClassSession.id).limit(1)) is not None:
        return 0
    today = utcnow().replace(minute=0, second=0, microsecond=0)
    added = 0
    for code, days, hour, seats, room in DEMO_SESSIONS:
        module = db.session.scalar(select(Module).where(Module.code == code))
        if module is None or module.status != ModuleStatus.PUBLISHED:
            continue
        schedule(
            module,
            starts_at=(today + timedelta(days=days)).replace(hour=hour),
            duration_minutes=90,
            capacity=seats,
            instructor=instructor,
            location=room,
            online_url=None if room else "https://meet.example.com/data-academy",
        )
        added += 1
    return added

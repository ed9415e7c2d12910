"""Registering interest in planned modules, and acting when demand crosses a threshold.

The crossing is detected with a conditional UPDATE on the module
(``in_demand_at IS NULL``), so however many learners register at the same
moment, exactly one request flips the flag and sends the notifications.
Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import false, func, select, update

from app.accounts.models import Role, User, utcnow
from app.catalogue.models import Module, ModuleStatus
from app.demand.models import Interest
from app.extensions import db
from app.notifications.services import notify


class DemandError(Exception):
    """Interest can only be registered in a planned module."""


def threshold_for(module: Module) -> int:
    """The module's own threshold, else the site's default."""
    return module.demand_threshold or current_app.config["ACADEMY_DEMAND_THRESHOLD"]


def interest_count(module_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Interest).where(Interest.module_id == module_id)
        )
        or 0
    )


def interest_of(user_id: int, module_id: int) -> Interest | None:
    return db.session.scalar(
        select(Interest).where(Interest.user_id == user_id, Interest.module_id == module_id)
    )


def register_interest(user: User, module: Module, note: str | None = None) -> Interest:
    """Say you want a planned module; again is a no-op (a new note replaces the old one)."""
    if module.status != ModuleStatus.PLANNED:
        raise DemandError("Interest can only be registered in a planned module.")
    _lock(module)
    interest = interest_of(user.id, module.id)
    note = (note or "").strip() or None
    if interest is not None:
        if note:
            interest.note = note
        db.session.flush()
        return interest
    interest = Interest(user_id=user.id, module_id=module.id, note=note)
    db.session.add(interest)
    db.session.flush()
    _check_crossing(module)
    return interest


def withdraw_interest(user: User, module: Module) -> bool:
    """Take back your interest; False if there was none."""
    _lock(module)
    interest = interest_of(user.id, module.id)
    if interest is None:
        return False
    db.session.delete(interest)
    db.session.flush()
    if interest_count(module.id) < threshold_for(module):
        db.session.execute(
            update(Module)
            .where(Module.id == module.id)
            .values(in_demand_at=None)
            .execution_options(synchronize_session=False)
        )
    return True


def _lock(module: Module) -> None:
    """Serialise interest changes per module, so each one counts everyone before it.

    Without it, two learners registering at once on PostgreSQL could each
    count the other as absent, and the crossing would be missed. (SQLite
    serialises all writers anyway and ignores the clause.)
    """
    db.session.execute(select(Module.id).where(Module.id == module.id).with_for_update())


def _check_crossing(module: Module) -> bool:
    """Flag the module as in demand the first time interest reaches the threshold."""
    if interest_count(module.id) < threshold_for(module):
        return False
    flipped = db.session.execute(
        update(Module)
        .where(Module.id == module.id, Module.in_demand_at.is_(None))
        .values(in_demand_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if flipped != 1:
        return False  # another request crossed it first and sent the news
    count = interest_count(module.id)
    message = f"{module.code} {module.title} is in demand: {count} learners want it written."
    for person in teachers_of(module):
        notify(
            person,
            kind="demand",
            message=message,
            link="/teach/demand",
            subject=f"{module.code} is in demand",
        )
    return True


def teachers_of(module: Module) -> list[User]:
    """The module's instructors (by the emails in its file) and every active admin."""
    emails = [e.lower() for e in module.instructors]
    query = select(User).where(
        User.active.is_(True),
        (User.role == Role.ADMIN) | (User.email.in_(emails) if emails else false()),
    )
    return list(db.session.scalars(query.order_by(User.id)))


def announce_published(codes: list[str]) -> int:
    """Tell everyone interested in these newly published modules; returns how many were told."""
    if not codes:
        return 0
    rows = db.session.execute(
        select(Module, User)
        .join(Interest, Interest.module_id == Module.id)
        .join(User, User.id == Interest.user_id)
        .where(Module.code.in_(codes), User.active.is_(True))
        .order_by(Module.code, User.id)
    ).all()
    for module, user in rows:
        notify(
            user,
            kind="published",
            message=f"{module.code} {module.title}, which you asked for, is now published. "
            "Enrol when you're ready.",
            link=f"/modules/{module.code}",
            subject=f"{module.code} is ready",
        )
    return len(rows)


@dataclass(frozen=True)
class DemandRow:
    """One planned module on the instructors' "what to write next" page."""

    code: str
    title: str
    level: int
    interested: int
    threshold: int
    in_demand: bool
    notes: list[tuple[str, str]]  # (learner name, note), newest first


@dataclass(frozen=True)
class DemandPage:
    """One page of the ranking, and how many planned modules there are in all."""

    rows: list[DemandRow]
    page: int
    pages: int
    total: int


def demand_ranking(page: int = 1, per_page: int = 50, notes_per_module: int = 5) -> DemandPage:
    """Planned modules by interest, most wanted first, with the latest notes.

    Three queries whatever the number of modules or learners: how many are
    planned, the counts for this page, and the newest notes per module on it,
    picked with a window function.
    """
    total = (
        db.session.scalar(
            select(func.count()).select_from(Module).where(Module.status == ModuleStatus.PLANNED)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    default = current_app.config["ACADEMY_DEMAND_THRESHOLD"]
    counts = (
        select(Interest.module_id, func.count().label("n")).group_by(Interest.module_id).subquery()
    )
    modules = db.session.execute(
        select(
            Module.id,
            Module.code,
            Module.title,
            Module.level,
            Module.demand_threshold,
            Module.in_demand_at,
            func.coalesce(counts.c.n, 0),
        )
        .outerjoin(counts, counts.c.module_id == Module.id)
        .where(Module.status == ModuleStatus.PLANNED)
        .order_by(func.coalesce(counts.c.n, 0).desc(), Module.level, Module.code)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    # Rank interest ids only (the index on module and time makes this a scan, not a
    # sort), then fetch names and notes for the few that make the cut.
    ranked = (
        select(
            Interest.id,
            func.row_number()
            .over(
                partition_by=Interest.module_id,
                order_by=(Interest.created_at.desc(), Interest.id.desc()),
            )
            .label("rank"),
        )
        .where(Interest.note.is_not(None), Interest.module_id.in_([m.id for m in modules]))
        .subquery()
    )
    notes: dict[int, list[tuple[str, str]]] = {}
    for module_id, name, note in db.session.execute(
        select(Interest.module_id, User.name, Interest.note)
        .join(ranked, ranked.c.id == Interest.id)
        .join(User, User.id == Interest.user_id)
        .where(ranked.c.rank <= notes_per_module)
        .order_by(Interest.module_id, ranked.c.rank)
    ):
        notes.setdefault(module_id, []).append((name, note))
    rows = [
        DemandRow(
            code=m.code,
            title=m.title,
            level=m.level,
            interested=m[-1],
            threshold=m.demand_threshold or default,
            in_demand=m.in_demand_at is not None,
            notes=notes.get(m.id, []),
        )
        for m in modules
    ]
    return DemandPage(rows=rows, page=page, pages=pages, total=total)

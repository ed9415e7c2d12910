"""Queries behind the catalogue pages.

Each function issues a fixed number of queries whatever the size of the
curriculum, and returns plain data classes rather than ORM objects, because the
pages list hundreds of modules and loading full rows for each would dominate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload, undefer

from app.catalogue.models import Module, ModulePersona, ModuleStatus, module_prerequisites
from app.enrolment.rules import PathStep, prerequisite_closure
from app.extensions import db


@dataclass(frozen=True)
class ModuleCard:
    """Enough of a module to list it."""

    id: int
    code: str
    title: str
    level: int
    summary: str
    status: str
    duration: str | None
    personas: tuple[str, ...] = ()

    @property
    def is_planned(self) -> bool:
        return self.status == ModuleStatus.PLANNED


_CARD_COLUMNS = (
    Module.id,
    Module.code,
    Module.title,
    Module.level,
    Module.summary,
    Module.status,
    Module.duration,
)


def list_modules(persona: str | None = None, status: str | None = None) -> list[ModuleCard]:
    """Live (not retired) modules, optionally for one persona or of one status."""
    query = select(*_CARD_COLUMNS).where(Module.status != ModuleStatus.RETIRED)
    if persona:
        query = query.where(
            Module.id.in_(select(ModulePersona.module_id).where(ModulePersona.persona == persona))
        )
    if status:
        query = query.where(Module.status == status)
    rows = db.session.execute(query.order_by(Module.level, Module.code)).all()
    personas = _personas_by_module()
    return [ModuleCard(*row, personas=tuple(personas.get(row.id, ()))) for row in rows]


def status_counts() -> dict[str, int]:
    """How many modules there are of each status."""
    rows = db.session.execute(select(Module.status, func.count()).group_by(Module.status))
    return {status: count for status, count in rows}


def _personas_by_module() -> dict[int, list[str]]:
    pairs = db.session.execute(
        select(ModulePersona.module_id, ModulePersona.persona).order_by(ModulePersona.persona)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for module_id, persona in pairs:
        result[module_id].append(persona)
    return result


def get_module(code: str) -> Module | None:
    """One module by code, with its prerequisites, whatever its status."""
    return db.session.scalar(
        select(Module)
        .where(Module.code == code.upper())
        .options(selectinload(Module.prerequisites), undefer(Module.body_html))
    )


def dependents(module: Module) -> list[ModuleCard]:
    """Live modules that list ``module`` as a prerequisite: what completing it unlocks."""
    needing = select(module_prerequisites.c.module_id).where(
        module_prerequisites.c.prerequisite_id == module.id
    )
    rows = db.session.execute(
        select(*_CARD_COLUMNS)
        .where(Module.id.in_(needing), Module.status != ModuleStatus.RETIRED)
        .order_by(Module.level, Module.code)
    ).all()
    return [ModuleCard(*row) for row in rows]


@dataclass(frozen=True)
class PersonaPath:
    """The modules on one persona's path, plus what they need from other paths."""

    persona: str
    cards: list[ModuleCard]
    on_path: set[str]
    edges: list[tuple[str, str]]  # (prerequisite code, module code)

    @property
    def needs(self) -> dict[str, list[str]]:
        """Each module's prerequisites on this path, by code."""
        needs: dict[str, list[str]] = defaultdict(list)
        for prerequisite, code in self.edges:
            needs[code].append(prerequisite)
        return needs

    def steps(self) -> list[PathStep]:
        needs = self.needs
        return [
            PathStep(c.code, c.level, c.status == ModuleStatus.PUBLISHED, tuple(needs[c.code]))
            for c in self.cards
        ]


def persona_path(persona: str) -> PersonaPath:
    """A persona's modules and all their prerequisites, transitively."""
    cards = list_modules()
    by_id = {c.id: c for c in cards}
    edges = [
        (by_id[prerequisite_id].code, by_id[module_id].code)
        for module_id, prerequisite_id in db.session.execute(select(module_prerequisites))
        if module_id in by_id and prerequisite_id in by_id
    ]
    needs: dict[str, list[str]] = defaultdict(list)
    for prerequisite, code in edges:
        needs[code].append(prerequisite)
    on_path = {c.code for c in cards if persona in c.personas}
    shown = prerequisite_closure(on_path, needs)
    return PersonaPath(
        persona=persona,
        cards=[c for c in cards if c.code in shown],
        on_path=on_path,
        edges=[(p, c) for p, c in edges if c in shown],
    )

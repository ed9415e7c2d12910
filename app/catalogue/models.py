"""Modules of the curriculum, as last synced from the Markdown files in ``courses/``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import utcnow
from app.extensions import db
from app.types import UTCDateTime


class ModuleStatus(StrEnum):
    """Where a module stands: a lean stub, written, or gone from ``courses/``."""

    PLANNED = "planned"
    PUBLISHED = "published"
    RETIRED = "retired"


module_prerequisites = Table(
    "module_prerequisites",
    db.metadata,
    Column("module_id", Integer, ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "prerequisite_id", Integer, ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True
    ),
)


class ModulePersona(db.Model):
    """That a module is on one persona's path."""

    __tablename__ = "module_personas"

    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True
    )
    persona: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Module(db.Model):
    """One module of the curriculum; its identity is ``code``, not its file name."""

    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer, index=True)
    summary: Mapped[str] = mapped_column(Text)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    instructors: Mapped[list[str]] = mapped_column(JSON, default=list)
    exercises: Mapped[list[str]] = mapped_column(JSON, default=list)
    demand_threshold: Mapped[int | None] = mapped_column(Integer)
    duration: Mapped[str | None] = mapped_column(String(64))
    # The bodies are large and only the module page and sync need them.
    body_markdown: Mapped[str] = mapped_column(Text, default="", deferred=True)
    body_html: Mapped[str] = mapped_column(Text, default="", deferred=True)
    # The instructors' kit (courses/kits/<code>.md), stored like the body; never shown to learners.
    kit_markdown: Mapped[str] = mapped_column(Text, default="", deferred=True)
    kit_html: Mapped[str] = mapped_column(Text, default="", deferred=True)
    status: Mapped[str] = mapped_column(String(16), default=ModuleStatus.PLANNED.value, index=True)
    source_path: Mapped[str] = mapped_column(String(500))
    # Hash of everything synced from the file, so a sync that changes nothing writes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when interest in a planned module reaches its threshold (and instructors were
    # told); cleared if interest falls back below it, so the next crossing is news again.
    in_demand_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    persona_links: Mapped[list[ModulePersona]] = relationship(
        cascade="all, delete-orphan", order_by=ModulePersona.persona
    )
    prerequisites: Mapped[list[Module]] = relationship(
        secondary=module_prerequisites,
        primaryjoin=lambda: Module.id == module_prerequisites.c.module_id,
        secondaryjoin=lambda: Module.id == module_prerequisites.c.prerequisite_id,
        order_by=lambda: Module.code,
    )

    @property
    def personas(self) -> list[str]:
        return [link.persona for link in self.persona_links]

    @property
    def is_planned(self) -> bool:
        return self.status == ModuleStatus.PLANNED

    @property
    def is_retired(self) -> bool:
        return self.status == ModuleStatus.RETIRED

    def __repr__(self) -> str:
        return f"<Module {self.code}>"

"""Loading a checked course folder into the database.

Sync is idempotent: a module whose file hasn't changed is not written. A module
whose file has gone is retired, never deleted, so enrolments and completions
that point at it keep their history. Callers commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.accounts.models import utcnow
from app.authoring.folder import CourseSet
from app.authoring.kits import load_kit
from app.authoring.markdown import LinkTarget, ResolvedLink, Resolver, render
from app.authoring.source import ModuleSource
from app.catalogue.models import Module, ModulePersona, ModuleStatus
from app.extensions import db


class SyncRefused(Exception):
    """The folder has errors, so nothing was changed."""

    def __init__(self, courses: CourseSet):
        self.courses = courses
        errors = sum(1 for p in courses.problems if p.severity == "error")
        super().__init__(f"{errors} error(s) in {courses.root}; nothing was synced")


@dataclass
class SyncReport:
    """What a sync did, by module code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def content_hash(source: ModuleSource, html: str, kit: str = "", kit_html: str = "") -> str:
    """A fingerprint of everything sync stores for a module."""
    data = asdict(source)
    data.pop("lines")
    data.pop("body_line")
    data["html"] = html
    if kit:  # absent for a module without a kit, so such modules keep their old hash
        data["kit"] = kit
        data["kit_html"] = kit_html
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def module_resolver(courses: CourseSet, extra: dict[str, Resolver] | None = None) -> Resolver:
    """Resolve ``[[CODE]]`` to the module's page, and other kinds through ``extra``."""
    by_code = courses.by_code

    def resolve(target: LinkTarget) -> ResolvedLink | None:
        if target.kind == "module":
            module = by_code.get(target.key)
            if module is None:
                return None
            # A path, not url_for: the HTML is stored, and must not depend on whichever
            # request or command happened to run the sync.
            href = f"/modules/{module.code}"
            return ResolvedLink(href, f"{module.code} {module.title}", module.summary)
        if extra and target.kind in extra:
            return extra[target.kind](target)
        return None

    return resolve


def sync_courses(courses: CourseSet, resolve: Resolver | None = None) -> SyncReport:
    """Make the database's modules match a checked folder; raises SyncRefused on errors."""
    if not courses.ok:
        raise SyncRefused(courses)
    resolve = resolve or module_resolver(courses)
    report = SyncReport()
    existing = {
        m.code: m
        for m in db.session.scalars(
            select(Module).options(
                undefer(Module.body_markdown),
                undefer(Module.body_html),
                undefer(Module.kit_markdown),
                undefer(Module.kit_html),
            )
        )
    }
    now = utcnow()

    for source in courses.modules:
        html = render(source.body, resolve) if source.body.strip() else ""
        found = load_kit(courses.root, source.code)
        kit = found.body.strip("\n") if found is not None else ""
        kit_html = render(kit, resolve) if kit.strip() else ""
        digest = content_hash(source, html, kit, kit_html)
        module = existing.get(source.code)
        if module is None:
            module = Module(code=source.code, created_at=now)
            db.session.add(module)
            existing[source.code] = module
            report.created.append(source.code)
        elif module.content_hash == digest and module.status != ModuleStatus.RETIRED:
            report.unchanged.append(source.code)
            continue
        else:
            report.updated.append(source.code)
        was_planned = module.status in (None, ModuleStatus.PLANNED)
        _apply(module, source, html, digest, now)
        module.kit_markdown = kit
        module.kit_html = kit_html
        if was_planned and module.status == ModuleStatus.PUBLISHED:
            module.published_at = now
            report.published.append(source.code)

    db.session.flush()
    _link_prerequisites(courses, existing)
    present = {m.code for m in courses.modules}
    for code, module in existing.items():
        if code not in present and module.status != ModuleStatus.RETIRED:
            module.status = ModuleStatus.RETIRED.value
            module.retired_at = now
            module.updated_at = now
            report.retired.append(code)
    db.session.flush()
    return report


def _apply(module: Module, source: ModuleSource, html: str, digest: str, now) -> None:
    module.title = source.title
    module.level = source.level
    module.summary = source.summary
    module.outcomes = list(source.outcomes)
    module.instructors = list(source.instructors)
    module.exercises = list(source.exercises)
    module.demand_threshold = source.demand_threshold
    module.duration = source.duration
    module.body_markdown = source.body
    module.body_html = html
    module.source_path = source.path
    module.content_hash = digest
    module.status = (ModuleStatus.PLANNED if source.is_stub else ModuleStatus.PUBLISHED).value
    module.retired_at = None
    module.updated_at = now
    wanted = set(source.personas)
    module.persona_links = [link for link in module.persona_links if link.persona in wanted]
    have = {link.persona for link in module.persona_links}
    module.persona_links += [ModulePersona(persona=p) for p in source.personas if p not in have]


def _link_prerequisites(courses: CourseSet, modules: dict[str, Module]) -> None:
    for source in courses.modules:
        module = modules[source.code]
        wanted = [modules[code] for code in source.prerequisites]
        if [m.code for m in module.prerequisites] != sorted(m.code for m in wanted):
            module.prerequisites = sorted(wanted, key=lambda m: m.code)

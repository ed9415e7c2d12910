"""The shipped curriculum gives every persona a written module at 100, 200 and 300.

These read the repository's own ``courses/``: until every persona has its three
written modules (issue 12), they fail, and say which persona lacks which level.
"""

from __future__ import annotations

import re

import pytest

from app.accounts.demo import DEMO_PASSWORD, demo_accounts, ensure_demo_accounts
from app.authoring.folder import load_folder
from app.authoring.source import LEVELS
from app.authoring.sync import module_resolver, sync_courses
from app.config import PROJECT_ROOT
from app.extensions import db
from app.lake.explore.links import LINK_KINDS, RESOLVERS
from app.personas import PERSONAS

COURSES = PROJECT_ROOT / "courses"
LEARNERS = [a for a in demo_accounts() if a.persona and a.role == "learner"]


def written_levels(persona: str) -> dict[int, list[str]]:
    """Level -> the written modules on ``persona``'s path in the repository's courses."""
    courses = load_folder(COURSES, LINK_KINDS)
    found: dict[int, list[str]] = {level: [] for level in LEVELS}
    for module in courses.modules:
        if persona in module.personas and not module.is_stub:
            found[module.level].append(module.code)
    return found


@pytest.mark.parametrize("persona", [p.slug for p in PERSONAS])
def test_the_curriculum_has_a_written_module_at_each_level(persona):
    found = written_levels(persona)
    missing = [level for level, codes in found.items() if not codes]
    assert not missing, f"{persona} has no written module at level(s) {missing}: {found}"


def test_every_persona_has_a_demo_learner():
    assert sorted(a.persona for a in LEARNERS) == sorted(p.slug for p in PERSONAS)


@pytest.fixture
def shipped_site(app):
    courses = load_folder(COURSES, LINK_KINDS)
    sync_courses(courses, module_resolver(courses, RESOLVERS))
    ensure_demo_accounts()
    db.session.commit()
    return app


# One list item of the path page's list: its code, its badge, whether it is off the path.
_ITEM = re.compile(
    r'<li>\s*<a href="/modules/(?P<code>[A-Z0-9]+)">.*?</a>\s*'
    r'<span class="badge badge-(?P<status>\w+)">.*?</li>',
    re.S,
)


def written_on_page(page: str) -> dict[int, list[str]]:
    """Level -> published modules the path page lists as on the path (not borrowed)."""
    section = page[page.index('id="list-heading"') :]
    found: dict[int, list[str]] = {level: [] for level in LEVELS}
    parts = re.split(r"<h3>(\d{3}) · [^<]*</h3>", section)
    for level, chunk in zip(parts[1::2], parts[2::2], strict=True):
        for item in _ITEM.finditer(chunk):
            if item["status"] == "published" and "needed from another path" not in item[0]:
                found[int(level)].append(item["code"])
    return found


@pytest.mark.parametrize("account", LEARNERS, ids=[a.persona for a in LEARNERS])
def test_each_demo_learner_sees_written_modules_at_each_level(shipped_site, client, account):
    signed_in = client.post("/login", data={"email": account.email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    page = client.get(f"/paths/{account.persona}").get_data(as_text=True)
    found = written_on_page(page)
    missing = [level for level, codes in found.items() if not codes]
    assert not missing, f"{account.email} sees no written module at level(s) {missing}: {found}"

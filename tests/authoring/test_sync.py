"""Sync loads a folder idempotently, retires instead of deleting, and refuses bad folders."""

import pytest
from sqlalchemy import func, select

from app.authoring.folder import load_folder
from app.authoring.sync import SyncRefused, sync_courses
from app.catalogue.models import Module, ModuleStatus
from app.enrolment.models import Completion
from app.extensions import db
from tests.factories import course_text, make_user, write_course


def sync(folder):
    report = sync_courses(load_folder(folder))
    db.session.commit()
    return report


def module(code) -> Module:
    return db.session.scalar(select(Module).where(Module.code == code))


@pytest.fixture
def two_modules(app, courses_dir):
    write_course(courses_dir, "dp101.md", course_text("DP101", body="Hello, see [[DP201]]."))
    write_course(
        courses_dir,
        "dp201.md",
        course_text("DP201", level=200, prerequisites="[DP101]", personas="all"),
    )
    return courses_dir


def test_first_sync_creates_modules_with_rendered_links(two_modules):
    report = sync(two_modules)
    assert sorted(report.created) == ["DP101", "DP201"]
    intro, joins = module("DP101"), module("DP201")
    assert intro.status == ModuleStatus.PUBLISHED
    assert '<a href="/modules/DP201" class="module-link"' in intro.body_html
    assert joins.status == ModuleStatus.PLANNED
    assert joins.body_html == ""
    assert [m.code for m in joins.prerequisites] == ["DP101"]
    assert len(joins.personas) == 6


def test_second_sync_changes_nothing(two_modules):
    sync(two_modules)
    before = {m.code: (m.updated_at, m.content_hash) for m in db.session.scalars(select(Module))}
    report = sync(two_modules)
    assert not report.changed
    assert sorted(report.unchanged) == ["DP101", "DP201"]
    after = {m.code: (m.updated_at, m.content_hash) for m in db.session.scalars(select(Module))}
    assert after == before


def test_editing_a_file_updates_the_module(two_modules):
    sync(two_modules)
    write_course(two_modules, "dp101.md", course_text("DP101", title="New title", body="New body"))
    report = sync(two_modules)
    assert report.updated == ["DP101"]
    assert module("DP101").title == "New title"


def test_renaming_the_file_keeps_the_module(two_modules):
    sync(two_modules)
    original_id = module("DP101").id
    (two_modules / "dp101.md").rename(two_modules / "intro-to-the-platform.md")
    report = sync(two_modules)
    assert report.retired == [] and report.created == []
    assert module("DP101").id == original_id
    assert module("DP101").source_path == "courses/intro-to-the-platform.md"


def test_writing_a_stub_publishes_it(two_modules):
    sync(two_modules)
    write_course(
        two_modules,
        "dp201.md",
        course_text(
            "DP201", level=200, prerequisites="[DP101]", personas="all", body="Now written."
        ),
    )
    report = sync(two_modules)
    assert report.published == ["DP201"]
    assert module("DP201").status == ModuleStatus.PUBLISHED
    assert module("DP201").published_at is not None


def test_a_removed_file_retires_the_module_and_keeps_its_history(two_modules):
    sync(two_modules)
    learner = make_user()
    db.session.add(Completion(user_id=learner.id, module_id=module("DP201").id))
    db.session.commit()
    (two_modules / "dp201.md").unlink()
    write_course(two_modules, "dp101.md", course_text("DP101", body="Hello."))
    report = sync(two_modules)
    assert report.retired == ["DP201"]
    retired = module("DP201")
    assert retired.status == ModuleStatus.RETIRED
    assert retired.retired_at is not None
    assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    # Retiring twice is not a change.
    assert not sync(two_modules).changed


def test_a_retired_module_comes_back_when_its_file_does(two_modules):
    sync(two_modules)
    text = (two_modules / "dp201.md").read_text()
    (two_modules / "dp201.md").unlink()
    write_course(two_modules, "dp101.md", course_text("DP101", body="Hello."))
    sync(two_modules)
    write_course(two_modules, "dp201.md", text)
    report = sync(two_modules)
    assert report.updated == ["DP201"]
    assert module("DP201").status == ModuleStatus.PLANNED
    assert module("DP201").retired_at is None


def test_a_folder_with_errors_is_refused_whole(two_modules):
    sync(two_modules)
    write_course(two_modules, "dp101.md", course_text("DP101", title="Changed", body="Changed"))
    write_course(two_modules, "bad.md", course_text("DP999", personas="[Nobody]"))
    with pytest.raises(SyncRefused):
        sync_courses(load_folder(two_modules))
    db.session.rollback()
    assert module("DP101").title == "Module DP101"
    assert module("DP999") is None


def test_prerequisite_changes_are_synced(two_modules):
    sync(two_modules)
    write_course(two_modules, "dp102.md", course_text("DP102"))
    write_course(two_modules, "dp201.md", course_text("DP201", level=200, prerequisites="[DP102]"))
    sync(two_modules)
    assert [m.code for m in module("DP201").prerequisites] == ["DP102"]
    assert module("DP201").personas == ["analyst"]

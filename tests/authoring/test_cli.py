"""``flask academy check`` and ``flask academy sync`` from the command line."""

from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalogue.models import Module
from app.config import PROJECT_ROOT
from app.extensions import db
from tests.factories import course_text, write_course


def test_check_passes_on_a_good_folder(runner, courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101"))
    result = runner.invoke(args=["academy", "check"])
    assert result.exit_code == 0, result.output
    assert "1 module(s) checked: 0 error(s), 0 warning(s)" in result.output


def test_check_prints_each_problem_and_fails(runner, courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", personas="[Gnome]"))
    write_course(courses_dir, "b.md", course_text("DP201", level=200, prerequisites="[NOPE101]"))
    result = runner.invoke(args=["academy", "check"])
    assert result.exit_code != 0
    assert "courses/a.md:5: error: unknown persona 'Gnome'" in result.output
    assert "courses/b.md:7: error: unknown prerequisite NOPE101" in result.output
    assert "2 error(s)" in result.output


def test_check_warnings_do_not_fail(runner, courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", extra="flavour: mint\n"))
    result = runner.invoke(args=["academy", "check"])
    assert result.exit_code == 0
    assert "courses/a.md:8: warning: unknown field `flavour` is ignored" in result.output


def test_check_takes_another_folder(runner, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    write_course(other, "x.md", course_text("DP101", level=250))
    result = runner.invoke(args=["academy", "check", "--courses", str(other)])
    assert result.exit_code != 0
    assert "elsewhere/x.md:4: error: `level` must be 100, 200 or 300" in result.output


@pytest.mark.slow  # it grades every shipped exercise's notebooks in real kernels
def test_the_shipped_courses_pass_the_check(make_app, built_lake):
    app = make_app(ACADEMY_LAKE_DIR=str(built_lake.lake))  # built once for the run
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["academy", "check", "--courses", str(PROJECT_ROOT / "courses")]
        )
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_sync_then_sync_again(runner, courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", body="Hi"))
    first = runner.invoke(args=["academy", "sync"])
    assert first.exit_code == 0, first.output
    assert "1 created" in first.output
    second = runner.invoke(args=["academy", "sync"])
    assert "0 created, 0 updated, 0 retired, 1 unchanged" in second.output


def test_sync_refuses_a_broken_folder_and_keeps_the_last_good_content(runner, courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", body="Good"))
    runner.invoke(args=["academy", "sync"])
    write_course(courses_dir, "a.md", course_text("DP101", body="Changed"))
    write_course(courses_dir, "b.md", "---\ntitle: [broken\n---\n")
    result = runner.invoke(args=["academy", "sync"])
    assert result.exit_code != 0
    assert "nothing was synced" in result.output
    assert "courses/b.md:3: error: front matter is not valid YAML" in result.output
    assert "while parsing a flow sequence on line 2" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Module.body_markdown).where(Module.code == "DP101")) == "Good"


def test_shipped_course_folder_has_stubs_and_published_modules_at_every_level():
    from app.authoring.folder import load_folder
    from app.lake.explore.links import LINK_KINDS

    # With the link kinds `academy check` and `sync` use: the courses link glossary terms.
    courses = load_folder(Path(PROJECT_ROOT / "courses"), LINK_KINDS)
    assert courses.ok
    assert {m.level for m in courses.modules} == {100, 200, 300}
    assert any(m.is_stub for m in courses.modules)
    assert any(not m.is_stub for m in courses.modules)
    assert "DP101" in courses.by_code

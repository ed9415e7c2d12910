"""Every course SQL block runs on the learner's locked connection: `academy check`'s SQL half."""

import shutil
from pathlib import Path

import pytest

from app.authoring.folder import load_folder
from app.authoring.sqlblocks import check_sql, sql_blocks

FIXTURES = Path(__file__).parent / "fixtures" / "sql-blocks"


@pytest.fixture
def fixture_courses(tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(FIXTURES, root)
    courses = load_folder(root)
    assert courses.ok, courses.problems
    return courses


def test_blocks_are_found_with_their_fence_lines(fixture_courses):
    blocks = list(sql_blocks(fixture_courses.by_code["SQ101"]))
    assert [b.line for b in blocks] == [11, 17, 23, 29, 35, 39, 51, 55]
    assert [b.expects_error for b in blocks] == [False, False, True, True] + [False] * 4
    assert [b.may_be_empty for b in blocks] == [False] * 7 + [True]
    assert blocks[0].sql.strip() == "SELECT count(*) FROM trusted.advert"


def test_each_failing_block_is_reported_at_its_fence(fixture_courses, built_lake):
    problems, count = check_sql(fixture_courses.modules, built_lake.lake)
    assert count == 10
    found = {(p.path, p.line): p.message for p in problems}
    assert set(found) == {
        ("courses/sq101-blocks.md", 17),
        ("courses/sq101-blocks.md", 29),
        ("courses/sq101-blocks.md", 51),
        ("courses/dp102-other.md", 9),
        ("courses/dp102-other.md", 13),
    }
    assert found[("courses/sq101-blocks.md", 17)].startswith("SQL block fails: Binder Error")
    assert "no_such_column" in found[("courses/sq101-blocks.md", 17)]
    assert "LINE 1" not in found[("courses/sq101-blocks.md", 17)]
    assert found[("courses/sq101-blocks.md", 29)] == (
        "SQL block marked `sql error` runs without an error"
    )
    (empty,) = [p for p in problems if p.line == 51]
    assert empty.severity == "warning" and "returns no rows" in empty.message
    # Each module's scratch zone is its own: SQ101's table is not there for DP102.
    assert "my_adverts" in found[("courses/dp102-other.md", 9)]
    # Another learner's zone is refused as the playground refuses it.
    assert "the playground refuses it" in found[("courses/dp102-other.md", 13)]


def test_the_lake_stays_read_only(tmp_path, built_lake):
    root = tmp_path / "courses"
    root.mkdir()
    (root / "a.md").write_text(
        "---\ncode: DP101\ntitle: T\nlevel: 100\npersonas: all\nsummary: S\n---\n"
        "```sql\nCREATE TABLE lake.trusted.mine AS SELECT 1\n```\n"
    )
    problems, _ = check_sql(load_folder(root).modules, built_lake.lake)
    assert len(problems) == 1 and problems[0].line == 8


def test_an_unbuilt_lake_is_said_plainly(fixture_courses, tmp_path):
    problems, count = check_sql(fixture_courses.modules, tmp_path / "nowhere")
    assert count == 0
    (problem,) = problems
    assert "the lake is not built" in problem.message
    assert "academy lake build" in problem.message


def test_no_sql_blocks_need_no_lake(tmp_path):
    assert check_sql([], tmp_path / "nowhere") == ([], 0)


def test_check_prints_sql_failures(make_app, built_lake, fixture_courses):
    app = make_app(ACADEMY_LAKE_DIR=str(built_lake.lake))
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["academy", "check", "--courses", str(fixture_courses.root)]
        )
    assert result.exit_code != 0
    assert "courses/sq101-blocks.md:17: error: SQL block fails: Binder Error" in result.output
    assert "10 SQL block(s)" in result.output

"""``flask academy lake build`` and ``lake check``: output and exit codes."""

from __future__ import annotations

import os

import pytest

from app.lake.pipeline.files import MANIFEST


def lake_cli(application, *args: str):
    """Run ``flask academy lake ...`` inside the app's context, as the flask command does."""
    with application.app_context():
        return application.test_cli_runner().invoke(args=["academy", "lake", *args])


@pytest.mark.slow
def test_build_writes_the_lake_and_reports_it_then_check_passes(make_app, tmp_path):
    target = tmp_path / "lake"
    application = make_app(ACADEMY_LAKE_DIR=str(target))
    result = lake_cli(application, "build", "--seed", "42", "--scale", "1")
    assert result.exit_code == 0, result.output
    assert f"built {target} (seed 42, scale 1) in " in result.output
    assert "trusted.response" in result.output and "raw.page_views" in result.output
    assert (target / MANIFEST).is_file()

    checked = lake_cli(application, "check")
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip() == f"all checks hold for {target}"

    (target / "trusted/advert/advert.parquet").unlink()
    broken = lake_cli(application, "check")
    assert broken.exit_code == 1
    assert "trusted/advert/advert.parquet: is missing" in broken.output
    assert "trusted.advert: cannot be read" in broken.output
    assert "check(s) failed for" in broken.output


@pytest.mark.slow
def test_check_passes_on_a_built_lake(make_app, built_lake):
    result = lake_cli(make_app(ACADEMY_LAKE_DIR=str(built_lake.lake)), "check")
    assert result.exit_code == 0, result.output
    assert "all checks hold" in result.output


def test_check_fails_where_nothing_was_built(make_app, tmp_path):
    result = lake_cli(make_app(ACADEMY_LAKE_DIR=str(tmp_path / "none")), "check")
    assert result.exit_code == 1
    assert "nothing is built at" in result.output


def test_scale_below_one_is_refused(make_app, tmp_path):
    result = lake_cli(make_app(ACADEMY_LAKE_DIR=str(tmp_path / "lake")), "build", "--scale", "0")
    assert result.exit_code == 2
    assert not os.path.exists(tmp_path / "lake")


def test_a_folder_that_is_not_a_lake_is_refused(make_app, tmp_path):
    target = tmp_path / "lake"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = lake_cli(make_app(ACADEMY_LAKE_DIR=str(target)), "build")
    assert result.exit_code == 1
    assert "is not a lake; refusing to replace it" in result.output
    assert (target / "notes.txt").read_text() == "mine"

"""Where the app's lake is, and whether it has been built."""

from __future__ import annotations

from app.lake.location import lake_database, lake_dir, lake_is_built


def test_the_lake_lives_in_the_instance_folder_unless_configured(make_app, tmp_path):
    default = make_app(ACADEMY_LAKE_DIR=None)
    with default.app_context():
        assert lake_dir() == tmp_path / "instance" / "lake"
    chosen = make_app(ACADEMY_LAKE_DIR=str(tmp_path / "elsewhere"))
    with chosen.app_context():
        assert lake_dir() == tmp_path / "elsewhere"
    assert lake_dir(chosen) == tmp_path / "elsewhere"  # outside any app context too


def test_a_lake_is_built_once_its_database_file_exists(make_app, tmp_path):
    app = make_app(ACADEMY_LAKE_DIR=str(tmp_path / "lake"))
    with app.app_context():
        assert not lake_is_built()
        lake_database().parent.mkdir()
        lake_database().touch()
        assert lake_is_built()
        assert lake_database() == tmp_path / "lake" / "lake.duckdb"

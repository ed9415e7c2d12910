"""The fake lake the playground tests use is what they assume it is."""

from __future__ import annotations

import duckdb

from tests.lake.fakelake import ZONES, build_lake


def test_the_fake_lake_has_the_five_zones_and_views_over_absolute_paths(tmp_path):
    lake = build_lake(tmp_path / "instance")
    with duckdb.connect(str(lake.lake_dir / "lake.duckdb"), read_only=True) as con:
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
        assert set(ZONES) <= schemas
        assert con.execute("SELECT count(*) FROM raw.x").fetchone() == (3,)
        assert con.execute("SELECT count(*) FROM refined.y").fetchone() == (10,)
        views = con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall()
        assert all(str(lake.lake_dir) in sql for (sql,) in views)


def test_the_fingerprint_notices_a_changed_file(tmp_path):
    lake = build_lake(tmp_path / "instance")
    before = lake.fingerprint()
    (lake.lake_dir / "raw/x/x.csv").write_text("id\n")
    assert lake.fingerprint() != before

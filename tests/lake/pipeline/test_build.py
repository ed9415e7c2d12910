"""Building the lake: its layout, its views, byte-for-byte repeatability and the atomic swap."""

from __future__ import annotations

import os

import duckdb
import pytest

from app.lake.dictionary import DATASETS, ZONES
from app.lake.pipeline import build as build_module
from app.lake.pipeline.build import build_lake
from app.lake.pipeline.check import check_lake
from app.lake.pipeline.database import open_lake, quoted
from app.lake.pipeline.files import DATABASE, MANIFEST, data_files, sha256
from app.lake.pipeline.generate import generate
from app.lake.pipeline.measure import measure_dirt
from app.lake.pipeline.publish import builds_folder
from app.lake.pipeline.restrict import restricted_folder
from app.lake.pipeline.timeline import PENDING_DAY


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    """A second build with the shared lake's seed and scale, in another folder."""
    return build_lake(tmp_path_factory.mktemp("twin") / "lake", seed=42, scale=1)


def test_every_zone_is_a_schema(built_lake):
    with open_lake(built_lake.lake) as con:
        schemas = {
            row[0] for row in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()
        }
    assert {zone.name for zone in ZONES} <= schemas


@pytest.mark.parametrize("ds", DATASETS, ids=lambda ds: ds.qualified_name)
def test_every_dataset_is_a_view_with_the_catalogues_columns(built_lake, ds):
    with open_lake(built_lake.lake) as con:
        described = con.execute(f"DESCRIBE {quoted(ds.qualified_name)}").fetchall()
        rows = con.execute(f"SELECT count(*) FROM {quoted(ds.qualified_name)}").fetchone()[0]
    assert [(name, kind) for name, kind, *_ in described] == [(c.name, c.type) for c in ds.columns]
    assert rows > 0
    assert rows == built_lake.row_counts[ds.qualified_name]


def test_the_lake_is_a_link_to_a_build_beside_it(built_lake):
    lake = built_lake.lake
    assert lake.is_symlink()
    assert lake.resolve() == built_lake.build.resolve()
    assert built_lake.build.parent == builds_folder(lake)
    assert (lake / DATABASE).is_file() and (lake / MANIFEST).is_file()


def test_files_are_where_each_zone_keeps_them(built_lake):
    files = data_files(built_lake.lake)
    transient = [p for p in files if p.startswith("transient/")]
    # Only the drop delivered after the last landing waits in transient.
    assert transient and all(PENDING_DAY.isoformat() in p for p in transient)
    assert "raw/responses/load_date=2024-05-14/responses_2024-05-14.json" in files
    assert "raw/stock_feed/load_date=2024-05-14/stock_feed_2024-05-14.csv" in files
    assert "refined/response/response.parquet" in files
    assert "trusted/stock/stock.parquet" in files
    assert DATABASE not in files


def test_views_read_their_files_by_absolute_path(built_lake):
    with open_lake(built_lake.lake) as con:
        definitions = [
            row[0]
            for row in con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall()
        ]
    assert len(definitions) == len(DATASETS)
    assert all(str(built_lake.build.resolve()) in sql for sql in definitions)


def test_raw_is_read_as_text_and_refined_is_typed(built_lake):
    with open_lake(built_lake.lake) as con:
        raw = con.execute("SELECT DISTINCT typeof(received_at) FROM raw.responses").fetchall()
        refined = con.execute(
            "SELECT DISTINCT typeof(received_at) FROM refined.response"
        ).fetchall()
    assert raw == [("VARCHAR",)]
    assert refined == [("TIMESTAMP",)]


def test_the_build_records_the_catalogues_lineage(built_lake):
    assert built_lake.lineage == {ds.qualified_name: list(ds.lineage) for ds in DATASETS}


@pytest.mark.slow
def test_raw_holds_exactly_the_dirt_the_generator_planted(built_lake):
    planted = generate(42, 1).dirt
    # Bursts are counted per sender: the real values, in the restricted folder.
    with open_lake(restricted_folder(built_lake.lake)) as con:
        assert measure_dirt(con) == planted.as_dict()
    assert built_lake.dirt == planted


def test_refined_flags_bots_and_trusted_leaves_them_out(built_lake):
    with open_lake(built_lake.lake) as con:
        flagged = con.execute("SELECT count(*) FROM refined.response WHERE is_bot").fetchone()[0]
        kept = con.execute(
            "SELECT count(*) FROM refined.response AS r JOIN refined.advert USING (advert_id) "
            "WHERE NOT is_bot AND received_at IS NOT NULL"
        ).fetchone()[0]
        published = con.execute("SELECT count(*) FROM trusted.response").fetchone()[0]
        bot_views = con.execute("SELECT count(*) FROM refined.page_view WHERE is_bot").fetchone()[0]
        product = con.execute(
            "SELECT * FROM trusted.product WHERE product_code = 'spotlight'"
        ).fetchall()
    assert flagged == built_lake.dirt.response_bots
    assert bot_views == built_lake.dirt.page_view_bots
    assert published == kept
    assert product[0][1:3] == ("Spotlight", "Highlight")
    assert product[0][3].isoformat() == "2024-03-01"


def test_personal_data_stays_in_raw_and_transient(built_lake):
    personal = {c.name for ds in DATASETS for c in ds.columns if c.is_personal}
    with open_lake(built_lake.lake) as con:
        for ds in DATASETS:
            names = {
                row[0] for row in con.execute(f"DESCRIBE {quoted(ds.qualified_name)}").fetchall()
            }
            if ds.zone in ("refined", "trusted"):
                assert not names & personal, ds.qualified_name
    with open_lake(restricted_folder(built_lake.lake)) as con:
        emails = con.execute(
            "SELECT count(*) FROM raw.responses WHERE buyer_email LIKE '%@%'"
        ).fetchone()[0]
    assert emails > 0


@pytest.mark.slow
def test_same_seed_and_scale_build_byte_identical_files(built_lake, twin):
    ours, theirs = data_files(built_lake.lake), data_files(twin.lake)
    assert len(ours) > 500
    assert ours == theirs
    assert sha256(built_lake.lake / MANIFEST) == sha256(twin.lake / MANIFEST)


@pytest.mark.slow
def test_another_seed_builds_different_files(built_lake, fresh_lake):
    other = fresh_lake(seed=7)
    ours, theirs = data_files(built_lake.lake), data_files(other.lake)
    assert ours.keys() == theirs.keys()
    assert ours["trusted/response/response.parquet"] != theirs["trusted/response/response.parquet"]
    assert sum(ours[p] != theirs[p] for p in ours) > len(ours) * 0.9


@pytest.mark.slow
@pytest.mark.parametrize("interruption", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failed_build_leaves_the_previous_lake_intact(twin, monkeypatch, interruption):
    before = data_files(twin.lake)
    pointed_at = os.readlink(twin.lake)
    builds_before = sorted(builds_folder(twin.lake).iterdir())
    real_step = build_module.run_step

    def failing_step(con, lake, step):
        if step.target == "refined.response":
            raise interruption
        return real_step(con, lake, step)

    monkeypatch.setattr(build_module, "run_step", failing_step)
    with pytest.raises(type(interruption)):
        build_lake(twin.lake, seed=42, scale=1)
    assert os.readlink(twin.lake) == pointed_at
    assert data_files(twin.lake) == before
    assert sorted(builds_folder(twin.lake).iterdir()) == builds_before  # half a build is gone


@pytest.mark.slow
def test_a_lake_open_for_reading_survives_a_rebuild(twin):
    first = twin.lake.resolve()
    with duckdb.connect(str(twin.lake / DATABASE), read_only=True) as reader:
        before = reader.execute("SELECT count(*) FROM trusted.response").fetchone()[0]
        rebuilt = build_lake(twin.lake, seed=42, scale=1)
        after = reader.execute("SELECT count(*) FROM trusted.response").fetchone()[0]
    assert rebuilt.build.resolve() != first
    assert first.is_dir()  # the previous build is kept for readers like this one
    assert before == after
    assert twin.lake.resolve() == rebuilt.build.resolve()
    assert check_lake(twin.lake) == []

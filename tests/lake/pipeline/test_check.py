"""``check_lake``: a fresh lake keeps every promise, and each kind of damage is reported clearly."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from app.lake.pipeline.build import BuildResult, build_lake
from app.lake.pipeline.check import check_lake
from app.lake.pipeline.files import MANIFEST
from app.lake.pipeline.restrict import restricted_folder


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> BuildResult:
    """A lake of this module's own, damaged and repaired test by test."""
    return build_lake(tmp_path_factory.mktemp("damaged") / "lake", seed=42, scale=1)


@contextmanager
def restored(*paths: Path) -> Iterator[None]:
    """Put the files back exactly as they were, whatever the test did to them."""
    saved = {path: path.read_bytes() for path in paths}
    try:
        yield
    finally:
        for path, content in saved.items():
            path.write_bytes(content)


def rewrite_parquet(path: Path, select: str) -> None:
    """Replace a parquet file with the result of ``select`` over ``this`` (the file itself)."""
    scratch = path.with_suffix(".tmp")
    with duckdb.connect() as con:
        con.execute(f"CREATE VIEW this AS SELECT * FROM read_parquet('{path}')")
        con.execute(f"COPY ({select}) TO '{scratch}' (FORMAT parquet)")
    shutil.move(scratch, path)


def messages(lake: Path) -> list[str]:
    return [str(failure) for failure in check_lake(lake)]


@pytest.mark.slow
def test_a_fresh_lake_keeps_every_promise(built_lake):
    assert check_lake(built_lake.lake) == []


@pytest.mark.slow
def test_repeated_keys_in_trusted_are_reported(damaged):
    path = damaged.lake / "trusted/customer/customer.parquet"
    with restored(path):
        rewrite_parquet(path, "SELECT * FROM this UNION ALL (SELECT * FROM this LIMIT 3)")
        found = messages(damaged.lake)
    assert "trusted/customer/customer.parquet: has changed since the build wrote it" in found
    assert "trusted.customer: has 223 rows, the build wrote 220" in found
    assert any(
        m.startswith("trusted.customer: primary key (customer_id) is not unique: 3 keys repeat")
        for m in found
    )


@pytest.mark.slow
def test_a_deleted_file_is_reported(damaged):
    path = damaged.lake / "trusted/product/product.parquet"
    with restored(path):
        path.unlink()
        found = messages(damaged.lake)
    assert "trusted/product/product.parquet: is missing" in found
    assert any(m.startswith("trusted.product: cannot be read") for m in found)


@pytest.mark.slow
def test_an_extra_duplicate_planted_in_raw_is_reported(damaged):
    relative = "raw/responses/load_date=2024-02-14/responses_2024-02-14.json"
    masked = damaged.lake / relative
    real = restricted_folder(damaged.lake) / relative  # dirt is counted on the real values
    planted = damaged.dirt.response_duplicates
    with restored(masked, real):
        for path in (masked, real):
            first_line = path.read_text(encoding="utf-8").splitlines(keepends=True)[0]
            with path.open("a", encoding="utf-8") as out:
                out.write(first_line)
        found = messages(damaged.lake)
    assert f"raw: response duplicates: found {planted + 1}, planted {planted}" in found
    assert any("raw.responses: has" in m for m in found)


@pytest.mark.slow
def test_a_row_added_to_the_masked_copy_only_is_reported(damaged):
    path = damaged.lake / "raw/responses/load_date=2024-02-14/responses_2024-02-14.json"
    with restored(path):
        first_line = path.read_text(encoding="utf-8").splitlines(keepends=True)[0]
        with path.open("a", encoding="utf-8") as out:
            out.write(first_line)
        found = messages(damaged.lake)
    assert "raw.responses: masked and real files differ in 1 rows" in found


@pytest.mark.slow
def test_an_orphan_foreign_key_in_trusted_is_reported(damaged):
    path = damaged.lake / "trusted/response/response.parquet"
    with restored(path):
        rewrite_parquet(
            path,
            "SELECT * REPLACE (CASE WHEN response_id = (SELECT min(response_id) FROM this) "
            "THEN 'A0000000' ELSE advert_id END AS advert_id) FROM this",
        )
        found = messages(damaged.lake)
    assert "trusted.response: 1 rows have a advert_id not in trusted.advert, e.g. A0000000" in found


@pytest.mark.slow
def test_personal_data_leaking_into_trusted_is_reported(damaged):
    path = damaged.lake / "trusted/response/response.parquet"
    with restored(path):
        rewrite_parquet(path, "SELECT *, 'jo.bloggs@example.com' AS buyer_email FROM this")
        found = messages(damaged.lake)
    assert "trusted.response: exposes personal data: ['buyer_email']" in found
    assert any(m.startswith("trusted.response: has columns") for m in found)
    assert any(m.startswith("trusted.response: buyer_email holds") for m in found)


@pytest.mark.slow
def test_a_changed_type_in_trusted_is_reported(damaged):
    path = damaged.lake / "trusted/customer/customer.parquet"
    with restored(path):
        rewrite_parquet(
            path,
            "SELECT * REPLACE (CAST(advert_allowance AS VARCHAR) AS advert_allowance) FROM this",
        )
        found = messages(damaged.lake)
    assert "trusted.customer: advert_allowance is VARCHAR, the catalogue says INTEGER" in found


@pytest.mark.slow
def test_lineage_that_differs_from_the_catalogue_is_reported(damaged):
    path = damaged.lake / MANIFEST
    with restored(path):
        manifest = json.loads(path.read_text())
        manifest["lineage"]["trusted.response"] = ["raw.responses"]
        path.write_text(json.dumps(manifest))
        found = messages(damaged.lake)
    assert found == [
        "trusted.response: was built from ['raw.responses'], the catalogue says "
        "['refined.response', 'trusted.advert']"
    ]


@pytest.mark.slow
def test_a_file_the_build_did_not_write_is_reported(damaged):
    stray = damaged.lake / "raw/responses/load_date=2024-02-14/by_hand.json"
    stray.write_text("")
    try:
        found = messages(damaged.lake)
    finally:
        stray.unlink()
    assert found == [
        "raw/responses/load_date=2024-02-14/by_hand.json: was not written by the build"
    ]


@pytest.mark.slow
def test_a_broken_manifest_is_reported(damaged):
    path = damaged.lake / MANIFEST
    with restored(path):
        path.write_text("{")
        found = messages(damaged.lake)
    assert len(found) == 1 and "is not valid JSON" in found[0]


def test_no_lake_at_all_is_one_clear_failure(tmp_path):
    found = messages(tmp_path / "lake")
    assert found == [
        f"lake: nothing is built at {tmp_path / 'lake'}: run `flask academy lake build`"
    ]

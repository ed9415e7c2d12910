"""The restricted tier: personal columns masked in the build, real values only beside it."""

from __future__ import annotations

import json
import os

import pytest

from app.grading.sandbox.contract import RESTRICTED_GID
from app.lake.dictionary import DATASETS, MASK, restricted_datasets
from app.lake.pipeline.build import build_lake
from app.lake.pipeline.check import check_lake
from app.lake.pipeline.database import open_lake, quoted
from app.lake.pipeline.files import data_files
from app.lake.pipeline.manifest import read_manifest
from app.lake.pipeline.restrict import (
    build_of,
    dataset_files,
    mask_file,
    restricted_folder,
    restricted_link,
)

RESTRICTED = {
    "transient.response_drop": {"buyer_name", "buyer_email", "buyer_phone", "message"},
    "raw.responses": {"buyer_name", "buyer_email", "buyer_phone", "message"},
    "raw.customers": {"contact_name", "contact_email", "contact_phone"},
    "raw.page_views": {"ip_address"},
    "transient.page_view_batch": {"ip_address"},
}


def test_the_dictionary_marks_exactly_the_restricted_columns():
    found = {ds.qualified_name: set(ds.restricted_columns) for ds in restricted_datasets()}
    assert found == RESTRICTED
    assert all(
        not c.restricted for ds in DATASETS if ds.zone in ("refined", "trusted") for c in ds.columns
    )


def test_the_lake_sandboxes_mount_shows_only_masks(built_lake):
    with open_lake(built_lake.lake) as con:
        for name, columns in RESTRICTED.items():
            for column in columns:
                values = con.execute(
                    f'SELECT DISTINCT "{column}" FROM {quoted(name)} WHERE "{column}" <> \'\''
                ).fetchall()
                assert values == [(MASK,)], (name, column)


def test_the_restricted_folder_holds_the_real_values_outside_the_build(built_lake):
    build = built_lake.build.resolve()
    folder = restricted_folder(built_lake.lake)
    assert folder.parent == build.parent and build not in folder.parents
    assert os.path.realpath(restricted_link(built_lake.lake)) == str(folder)
    with open_lake(folder) as con:
        email = con.execute(
            "SELECT buyer_email FROM raw.responses WHERE buyer_email LIKE '%@%' LIMIT 1"
        ).fetchone()[0]
        assert con.execute("SELECT count(*) FROM trusted.response").fetchone()[0] > 0
    assert "@" in email
    every_byte = b"".join(p.read_bytes() for p in build.rglob("*") if p.is_file())
    assert email.encode() not in every_byte
    assert build_of(folder) == build  # what a granted learner's kernels read beside it
    with pytest.raises(ValueError):
        build_of(build)
    # Owner and group only; as root, the group is the granted kernels' (no one else's).
    assert folder.stat().st_mode & 0o777 == 0o750
    if os.geteuid() == 0:
        assert folder.stat().st_gid == RESTRICTED_GID


def test_the_manifest_records_the_restricted_files(built_lake):
    manifest = read_manifest(built_lake.lake)
    assert manifest.restricted_files == data_files(restricted_folder(built_lake.lake))
    assert any(path.startswith("raw/responses/") for path in manifest.restricted_files)


def test_masking_keeps_everything_else_byte_for_byte(tmp_path):
    source = tmp_path / "real.json"
    rows = [
        {"id": "1", "buyer_email": "a@b.co.uk", "note": "x\u2028y"},
        {"id": "2", "buyer_email": None},
    ]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    target = tmp_path / "masked.json"
    mask_file(source, target, ("buyer_email",), "json")
    assert [json.loads(line) for line in target.read_text().split("\n") if line] == [
        {"id": "1", "buyer_email": MASK, "note": "x\u2028y"},
        {"id": "2", "buyer_email": None},
    ]
    csv_source = tmp_path / "real.csv"
    csv_source.write_text('id,contact_name,region\n1,"Ann, Lee",North\n2,,South\n')
    mask_file(csv_source, tmp_path / "masked.csv", ("contact_name",), "csv")
    assert (
        tmp_path / "masked.csv"
    ).read_text() == f"id,contact_name,region\n1,{MASK},North\n2,,South\n"


@pytest.fixture(scope="module")
def own_lake(tmp_path_factory):
    """A lake of this module's own, to break."""
    return build_lake(tmp_path_factory.mktemp("restricted") / "lake", seed=7, scale=1)


@pytest.mark.slow
def test_lake_check_finds_plaintext_planted_in_the_masked_lake(own_lake):
    assert check_lake(own_lake.lake) == []
    ds = next(d for d in restricted_datasets() if d.qualified_name == "raw.responses")
    path = dataset_files(own_lake.lake, ds)[0]
    real = restricted_folder(own_lake.lake) / path.relative_to(own_lake.lake)
    original = path.read_bytes()
    try:
        path.write_bytes(real.read_bytes())
        found = [str(f) for f in check_lake(own_lake.lake)]
    finally:
        path.write_bytes(original)
    assert any("unmasked values" in f for f in found)
    assert any("holds an e-mail address in plain text" in f for f in found)


@pytest.mark.slow
def test_lake_check_fails_without_the_restricted_folder(own_lake):
    folder = restricted_folder(own_lake.lake)
    aside = folder.with_name(folder.name + ".aside")
    folder.rename(aside)
    try:
        found = [str(f) for f in check_lake(own_lake.lake)]
    finally:
        aside.rename(folder)
    assert any("restricted folder" in f and "missing" in f for f in found)

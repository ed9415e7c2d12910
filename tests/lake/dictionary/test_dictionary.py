"""The data dictionary: the zones, the datasets the courses teach with, and the glossary."""

from __future__ import annotations

import dataclasses

import pytest

from app.lake.dictionary import (
    DATASETS,
    FILE_FORMATS,
    GLOSSARY,
    KINDS,
    ZONES,
    Column,
    by_zone,
    dataset,
    term,
)
from app.lake.pipeline.check import check_dictionary


def test_zones_run_in_flow_order_and_only_user_is_writable():
    assert [z.name for z in ZONES] == ["transient", "raw", "refined", "user", "trusted"]
    assert [z.name for z in ZONES if z.writable_by_learners] == ["user"]
    assert all(z.title and z.description for z in ZONES)


def test_every_zone_is_listed_and_user_ships_nothing():
    grouped = by_zone()
    assert list(grouped) == [z.name for z in ZONES]
    assert grouped["user"] == []
    assert {len(v) for k, v in grouped.items() if k != "user"} >= {3, 5, 6}
    assert sum(len(v) for v in grouped.values()) == len(DATASETS)


def test_dataset_looks_up_by_qualified_name():
    found = dataset("trusted.response")
    assert found is not None and found.qualified_name == "trusted.response"
    assert dataset("trusted.nothing") is None
    assert dataset("response") is None


def test_names_are_unique_and_fields_are_from_the_allowed_sets():
    names = [ds.qualified_name for ds in DATASETS]
    assert len(names) == len(set(names))
    for ds in DATASETS:
        assert ds.kind in KINDS, ds.qualified_name
        assert ds.file_format in FILE_FORMATS, ds.qualified_name
        assert ds.grain.startswith("one row per"), ds.qualified_name
        assert ds.owner and ds.description
        assert len({c.name for c in ds.columns}) == len(ds.columns)


def test_the_catalogue_is_consistent_with_itself():
    assert check_dictionary() == []


def test_only_raw_and_transient_promise_no_key_and_have_text_columns():
    for ds in DATASETS:
        if ds.zone in ("raw", "transient"):
            assert ds.primary_key == ()
            assert all(c.type == "VARCHAR" for c in ds.columns if c.name != "load_date")
        else:
            assert ds.primary_key, ds.qualified_name
            assert ds.file_format == "parquet"


def test_personal_data_is_marked_and_only_in_raw_and_transient():
    sensitive = {(ds.zone, c.name) for ds in DATASETS for c in ds.columns if c.is_personal}
    assert {zone for zone, _ in sensitive} == {"raw", "transient"}
    assert {"buyer_email", "buyer_phone", "contact_email", "ip_address"} <= {
        n for _, n in sensitive
    }


def test_check_dictionary_flags_personal_data_outside_raw():
    trusted = dataset("trusted.response")
    leaky = dataclasses.replace(
        trusted, columns=(*trusted.columns, Column("buyer_email", "VARCHAR", "oops", True))
    )
    failures = check_dictionary([leaky if ds is trusted else ds for ds in DATASETS])
    assert [str(f) for f in failures] == [
        "trusted.response: buyer_email is personal data outside raw"
    ]


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("trusted.customer", {"customer_id", "customer_name", "region", "status", "joined_on"}),
        ("trusted.stock", {"stock_id", "snapshot_date", "customer_id", "make", "price_gbp"}),
        (
            "trusted.advert",
            {"advert_id", "stock_id", "customer_id", "published_at", "withdrawn_at"},
        ),
        ("trusted.response", {"response_id", "advert_id", "customer_id", "channel", "received_at"}),
        ("refined.response", {"response_id", "advert_id", "received_at", "is_bot", "load_date"}),
        ("refined.page_view", {"event_time", "event_date", "visitor_id", "page_type", "is_bot"}),
        ("refined.price_change", {"advert_id", "price_gbp", "changed_at", "ingested_at"}),
        ("refined.advert", {"product_code", "product_name_as_landed"}),
        ("raw.responses", {"response_id", "advert_id", "received_at", "load_date"}),
        ("raw.adverts", {"product", "load_date"}),
    ],
)
def test_the_datasets_and_columns_the_courses_use_exist(name, columns):
    found = dataset(name)
    assert found is not None
    assert columns <= {c.name for c in found.columns}


def test_keys_and_kinds_are_the_ones_the_courses_teach():
    assert dataset("trusted.stock").primary_key == ("stock_id", "snapshot_date")
    assert dataset("trusted.stock").kind == "snapshot"
    assert dataset("refined.price_change").kind == "append_log"
    assert dataset("trusted.response").kind == "append_log"
    assert dataset("refined.page_view").kind == "event_stream"
    advert_keys = {fk.references for fk in dataset("trusted.advert").foreign_keys}
    assert {"trusted.stock", "trusted.customer"} <= advert_keys
    response_keys = {fk.references for fk in dataset("trusted.response").foreign_keys}
    assert response_keys == {"trusted.advert", "trusted.customer"}


def test_lineage_runs_forward_through_the_zones():
    order = [z.name for z in ZONES]
    for ds in DATASETS:
        for upstream in ds.lineage:
            source = dataset(upstream)
            assert source is not None
            assert order.index(source.zone) <= order.index(ds.zone), (upstream, ds.qualified_name)
    assert dataset("trusted.response").lineage == ("refined.response", "trusted.advert")
    assert dataset("raw.responses").lineage == ("transient.response_drop",)


REQUIRED_TERMS = (
    "Advert", "Stock", "Customer", "Response", "Bot-filtered", "Snapshot", "Append log",
    "Event stream", "Primary key", "Foreign key", "Grain", "Lineage", "Schema-on-read",
    "Transient", "Raw", "Refined", "User", "Trusted",
)  # fmt: skip


@pytest.mark.parametrize("name", REQUIRED_TERMS)
def test_the_glossary_defines_the_words_everyone_needs(name):
    found = term(name)
    assert found is not None and found.name == name
    assert len(found.definition) > 40


def test_term_lookup_ignores_case_and_separators():
    assert term("append-log").name == "Append log"
    assert term("BOT FILTERED").name == "Bot-filtered"
    assert term("schema on read").name == "Schema-on-read"
    assert term("nonsense") is None


def test_glossary_cross_references_resolve():
    names = {t.name for t in GLOSSARY}
    assert len(names) == len(GLOSSARY)
    for entry in GLOSSARY:
        assert set(entry.see_also) <= names, entry.name
        assert all(dataset(d) for d in entry.datasets), entry.name


def test_response_definition_says_which_counts_are_bot_filtered():
    definition = term("Response").definition
    assert "trusted.response" in definition and "is_bot" in definition
    assert "page on the site" in term("Advert").definition
    assert "paid slot" in term("Advert").definition

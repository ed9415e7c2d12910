"""Finding the restricted columns a submission reads, by DuckDB's parser."""

import pytest

from app.lake.privacy.detect import restricted_reads

EVERY_RESPONSE_COLUMN = (
    "raw.responses.buyer_email",
    "raw.responses.buyer_name",
    "raw.responses.buyer_phone",
    "raw.responses.message",
)


@pytest.mark.parametrize(
    "sql, columns",
    [
        ("SELECT count(*) FROM raw.responses", ()),
        ("SELECT response_id, channel FROM raw.responses", ()),
        ("SELECT * FROM trusted.response", ()),
        ("SELECT buyer_email FROM raw.responses", ("raw.responses.buyer_email",)),
        (
            "SELECT lower(r.buyer_email) AS e FROM raw.responses r ORDER BY e",
            ("raw.responses.buyer_email",),
        ),
        (
            "WITH a AS (SELECT message AS m FROM raw.responses) SELECT m FROM a",
            ("raw.responses.message",),
        ),
        ("SELECT ip_address FROM page_view_batch", ("transient.page_view_batch.ip_address",)),
        ("SELECT * FROM raw.responses", EVERY_RESPONSE_COLUMN),
        ("SELECT r FROM raw.responses r", EVERY_RESPONSE_COLUMN),
        ("SELECT COLUMNS('.*mail') FROM lake.raw.responses", EVERY_RESPONSE_COLUMN),
        ("SELECT 1; SELECT contact_phone FROM raw.customers", ("raw.customers.contact_phone",)),
    ],
)
def test_columns_read(sql, columns):
    found = restricted_reads(sql)
    assert found.columns == columns and not found.copies


def test_a_view_in_the_user_zone_counts_as_reading_the_whole_tier():
    found = restricted_reads("SELECT count(*) FROM user.my_view")
    assert (
        "raw.customers.contact_email" in found.columns and EVERY_RESPONSE_COLUMN[0] in found.columns
    )


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE user.x AS SELECT buyer_email FROM raw.responses",
        "INSERT INTO user.x SELECT contact_name FROM raw.customers",
        "SELECT 1; CREATE VIEW user.v AS SELECT * FROM transient.response_drop",
    ],
)
def test_writes_that_touch_restricted_data_are_copies(sql):
    assert restricted_reads(sql).copies


def test_writes_of_other_data_are_not_copies():
    assert not restricted_reads("CREATE TABLE user.x AS SELECT * FROM trusted.stock").any

"""Join paths: the shortest chain of foreign keys between two datasets, its grain, its SQL."""

from app.lake.dictionary import DATASETS
from app.lake.explore.joins import example_sql, join_path, snapshot_days


def test_join_path_customer_to_response():
    path = join_path(DATASETS, "trusted.customer", "trusted.response")
    assert path is not None and len(path) == 1
    assert path[0].right == "trusted.response" and path[0].fans_out
    sql = example_sql(DATASETS, path, "trusted.customer")
    assert sql.startswith("SELECT t0.*, t1.*\nFROM trusted.customer AS t0\nJOIN trusted.response")
    assert "WHERE" not in sql  # neither side is a daily snapshot
    assert snapshot_days(DATASETS, path, "trusted.customer") == []


def test_a_path_through_a_daily_snapshot_keeps_one_day_and_says_so():
    """trusted.stock is one row per vehicle per day: 195,372 rows joined to 4,000 responses
    without a filter, the mistake DM201 teaches against."""
    path = join_path(DATASETS, "trusted.stock", "trusted.response")
    assert path is not None
    days = snapshot_days(DATASETS, path, "trusted.stock")
    assert [(d.dataset, d.alias) for d in days] == [("trusted.stock", "t0")]
    sql = example_sql(DATASETS, path, "trusted.stock")
    assert "WHERE t0.snapshot_date = (SELECT max(snapshot_date) FROM trusted.stock)" in sql
    assert sql.index("WHERE") > sql.rindex("JOIN") and sql.endswith("LIMIT 20")


def test_fan_out_follows_the_keys_not_the_direction_of_the_foreign_key():
    # stock -> customer: a stock row names one customer.
    to_customer = join_path(DATASETS, "trusted.stock", "trusted.customer")
    assert [s.fans_out for s in to_customer] == [False]
    # advert -> stock: one vehicle per advert once stock is kept to one day.
    to_stock = join_path(DATASETS, "trusted.advert", "trusted.stock")
    assert [s.fans_out for s in to_stock] == [False]
    # customer -> stock: a retailer holds many vehicles.
    from_customer = join_path(DATASETS, "trusted.customer", "trusted.stock")
    assert [s.fans_out for s in from_customer] == [True]


def test_join_path_is_none_between_unlinked_datasets_and_empty_for_the_same():
    assert join_path(DATASETS, "trusted.customer", "transient.stock_feed") is None
    assert join_path(DATASETS, "trusted.stock", "trusted.stock") == []

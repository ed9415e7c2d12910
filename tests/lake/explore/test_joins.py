"""Join paths: the shortest chain of foreign keys between two datasets, and its SQL."""

from app.lake.dictionary import DATASETS
from app.lake.explore.joins import example_sql, join_path


def test_join_path_customer_to_response():
    path = join_path(DATASETS, "trusted.customer", "trusted.response")
    assert path is not None and len(path) == 1
    assert path[0].right == "trusted.response" and not path[0].many_to_one
    sql = example_sql(path, "trusted.customer")
    assert sql.startswith("SELECT t0.*, t1.*\nFROM trusted.customer AS t0\nJOIN trusted.response")


def test_join_path_is_none_between_unlinked_datasets_and_empty_for_the_same():
    assert join_path(DATASETS, "trusted.customer", "transient.stock_feed") is None
    assert join_path(DATASETS, "trusted.stock", "trusted.stock") == []

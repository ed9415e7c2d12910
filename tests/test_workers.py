"""Each xdist worker's own databases (tests/workers.py)."""

from tests.workers import postgres_url_for_worker, redis_url_for_worker


def test_each_worker_gets_a_postgres_database_of_its_own():
    url = "postgresql://postgres@127.0.0.1:5432/test"
    assert postgres_url_for_worker(url, "gw1") == url + "_gw1"
    assert postgres_url_for_worker(url + "?sslmode=disable", "gw0").endswith(
        "test_gw0?sslmode=disable"
    )
    assert postgres_url_for_worker(url, "") == url
    assert postgres_url_for_worker("sqlite:///:memory:", "gw1") == "sqlite:///:memory:"


def test_each_worker_gets_a_redis_database_counting_down():
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/14"
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "") == "redis://127.0.0.1:6379/15"

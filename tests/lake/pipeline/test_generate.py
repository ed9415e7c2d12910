"""The generator: deterministic, proportional to scale, and dirty in exact amounts."""

from __future__ import annotations

from collections import Counter

import pytest

from app.lake.pipeline.generate import Generated, PlantedDirt, generate
from app.lake.pipeline.refining_sql import PAGE_VIEW_DAILY_LIMIT, RESPONSE_BURST_LIMIT
from app.lake.pipeline.timeline import PENDING_DAY, PERIOD_END


@pytest.fixture(scope="module")
def generated() -> Generated:
    return generate(seed=42, scale=1)


def _rows(found: Generated) -> dict[str, dict]:
    return {name: delivery.by_day() for name, delivery in found.deliveries.items()}


@pytest.mark.slow
def test_same_seed_and_scale_give_the_same_rows_and_dirt(generated):
    again = generate(seed=42, scale=1)
    assert again.dirt == generated.dirt
    assert _rows(again) == _rows(generated)


@pytest.mark.slow
def test_another_seed_gives_other_rows(generated):
    other = generate(seed=7, scale=1)
    assert _rows(other)["responses"] != _rows(generated)["responses"]
    assert other.dirt != generated.dirt


def test_scale_must_be_positive():
    with pytest.raises(ValueError, match="scale"):
        generate(seed=42, scale=0)


@pytest.mark.slow
def test_scale_one_is_small_but_realistic(generated):
    landed = {name: len(d.landed()) for name, d in generated.deliveries.items()}
    customers = {
        row[0] for row in generated.deliveries["customers"].by_day()[PERIOD_END.replace(day=1)]
    }
    stock = {landing.row[0] for landing in generated.deliveries["stock_feed"].landings}
    adverts = {landing.row[0] for landing in generated.deliveries["adverts"].landings}
    assert 150 <= len(customers) <= 400
    assert 2_000 <= len(stock) <= 9_000
    assert 2_000 <= len(adverts) <= 9_000
    assert 20_000 <= landed["page_views"] <= 50_000
    assert 2_000 <= landed["responses"] <= 9_000


@pytest.mark.slow
def test_scale_two_has_about_twice_the_rows(generated):
    double = generate(seed=42, scale=2)
    for name, delivery in generated.deliveries.items():
        ratio = len(double.deliveries[name].landed()) / len(delivery.landed())
        assert 1.7 <= ratio <= 2.3, (name, ratio)
    for field, amount in generated.dirt.as_dict().items():
        assert 1.3 <= getattr(double.dirt, field) / amount <= 2.9, field


@pytest.mark.slow
def test_every_kind_of_dirt_is_planted(generated):
    dirt = generated.dirt
    assert all(amount > 0 for amount in dirt.as_dict().values())
    assert set(dirt.as_dict()) == set(PlantedDirt.__dataclass_fields__)


@pytest.mark.slow
def test_the_renamed_product_appears_under_both_names_either_side_of_the_day(generated):
    products = Counter()
    for landing in generated.deliveries["adverts"].landed():
        name = landing.row[3]
        products[name] += 1
        if name == "Highlight":
            assert landing.load_date.isoformat() < "2024-03-01"
        if name == "Spotlight":
            assert landing.load_date.isoformat() >= "2024-03-01"
    assert products["Highlight"] == generated.dirt.advert_rows_highlight
    assert products["Spotlight"] == generated.dirt.advert_rows_spotlight


@pytest.mark.slow
def test_people_stay_inside_the_limits_bots_break(generated):
    per_sender_day = Counter()
    for landing in generated.deliveries["responses"].landed():
        if landing.tag == "human" and not landing.retry:
            sender = landing.row[5] or landing.row[6]
            per_sender_day[(sender, landing.load_date)] += 1
    assert max(per_sender_day.values()) <= RESPONSE_BURST_LIMIT
    views = Counter(
        (landing.row[1], landing.row[4][:10])
        for landing in generated.deliveries["page_views"].landings
        if landing.tag == "human"
    )
    assert max(views.values()) < PAGE_VIEW_DAILY_LIMIT


@pytest.mark.slow
def test_only_the_pending_day_is_left_for_transient(generated):
    for delivery in generated.deliveries.values():
        assert max(landing.load_date for landing in delivery.landings) <= PENDING_DAY
    for name in ("customers", "adverts", "price_changes"):
        days = {landing.load_date for landing in generated.deliveries[name].landings}
        assert max(days) <= PERIOD_END

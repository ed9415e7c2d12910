"""Plant dirt in the deliveries in exact amounts, so exercises have one right answer.

Each kind of dirt goes on different, otherwise clean rows of people (never
bots), so every count can be measured on its own: a duplicated row is never
also an orphan, and a malformed timestamp is never also a bot.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.lake.pipeline import vocab
from app.lake.pipeline.deliveries import Delivery, Landing, iso
from app.lake.pipeline.timeline import PERIOD_END, PERIOD_START


def _amount(rng: random.Random, scale: int, fewest: int, most: int) -> int:
    """How many rows get one kind of dirt: a base amount per unit of scale."""
    # Proportional to scale like every dataset, so the share of dirt stays realistic.
    return scale * rng.randint(fewest, most)


def _retry(landing: Landing, rng: random.Random, next_day_share: float) -> Landing:
    """The same row again: the next day's delivery if a retry went out later, else the same."""
    later = landing.load_date < PERIOD_END and rng.random() < next_day_share
    day = landing.load_date + timedelta(days=1) if later else landing.load_date
    return Landing(day, list(landing.row), landing.tag, retry=True)


def responses(rng: random.Random, delivery: Delivery, scale: int) -> dict[str, int]:
    """Missing and orphan advert ids, unreadable times and repeat deliveries."""
    people = [landing for landing in delivery.landed() if landing.tag == "human"]
    missing = _amount(rng, scale, 20, 35)
    orphans = _amount(rng, scale, 25, 40)
    malformed = _amount(rng, scale, 20, 35)
    repeats = _amount(rng, scale, 40, 60)
    chosen = rng.sample(people, missing + orphans + malformed + repeats)
    for n, landing in enumerate(chosen[:missing]):
        landing.row[1] = vocab.MISSING_ADVERT[n % len(vocab.MISSING_ADVERT)]
    # Ids in a range the advertising system never issued: test data, deleted upstream.
    orphan_ids = rng.sample(range(100000, 999999), orphans)
    for landing, number in zip(chosen[missing : missing + orphans], orphan_ids, strict=True):
        landing.row[1] = f"A9{number:06d}"
    for landing in chosen[missing + orphans : missing + orphans + malformed]:
        landing.row[3] = rng.choice(vocab.MALFORMED_TIMESTAMPS)
    for landing in chosen[missing + orphans + malformed :]:
        delivery.landings.append(_retry(landing, rng, 0.7))
    return {
        "response_missing_advert": missing,
        "response_orphan_advert": orphans,
        "response_malformed_received_at": malformed,
        "response_duplicates": repeats,
    }


def adverts(rng: random.Random, delivery: Delivery, scale: int) -> dict[str, int]:
    """Advert records delivered twice in the same drop."""
    repeats = _amount(rng, scale, 15, 30)
    for landing in rng.sample(delivery.landed(), repeats):
        # Same day only: a copy filed after 1 March would blur when the old name was last used.
        delivery.landings.append(_retry(landing, rng, 0.0))
    return {"advert_duplicates": repeats}


def _typo(text: str) -> str:
    """A price with one digit too many, as a retailer might mistype it."""
    # A retailer's fat finger: one digit too many.
    return text + "0" if not text.startswith("£") else text.replace(",", "0,", 1)


def price_changes(rng: random.Random, delivery: Delivery, scale: int) -> dict[str, int]:
    """Mistyped prices corrected a day later, and repeat deliveries."""
    corrections = _amount(rng, scale, 5, 12)
    repeats = _amount(rng, scale, 15, 30)
    last_safe = PERIOD_END - timedelta(days=3)
    changes = [
        landing
        for landing in delivery.landed()
        # Only changes that landed on their own day, not in the first backfill load.
        if landing.tag == "change" and PERIOD_START < landing.load_date <= last_safe
    ]
    fixed = rng.sample(changes, corrections)
    for landing in fixed:
        advert_id, price, changed, ingested = landing.row
        landing.row[1] = _typo(price)
        later = datetime.strptime(ingested, "%Y-%m-%dT%H:%M:%SZ") + timedelta(
            days=1, seconds=rng.randint(0, 3600)
        )
        delivery.landings.append(Landing(later.date(), [advert_id, price, changed, iso(later)]))
    typed_over = {id(landing) for landing in fixed}
    untouched = [landing for landing in delivery.landed() if id(landing) not in typed_over]
    for landing in rng.sample(untouched, repeats):
        delivery.landings.append(_retry(landing, rng, 0.8))
    return {"price_change_corrections": corrections, "price_change_duplicates": repeats}


def stock_feed(rng: random.Random, delivery: Delivery, scale: int) -> dict[str, int]:
    """Feed rows where the price came through blank or as 'POA'."""
    blanks = _amount(rng, scale, 30, 60)
    for landing in rng.sample(delivery.landed(), blanks):
        landing.row[9] = "" if rng.random() < 0.6 else "POA"
    return {"stock_rows_missing_price": blanks}

"""The deterministic generator: a seed and a scale in, every delivery and its dirt out.

No wall clock, no uuid4, no iteration over sets: each part draws from its own
``random.Random`` seeded from (seed, part), so the same seed and scale always
give the same rows, and a change to one part does not reshuffle the others.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from app.lake.pipeline import deliveries, dirt
from app.lake.pipeline.deliveries import Delivery
from app.lake.pipeline.market import Market, simulate_market
from app.lake.pipeline.timeline import NEW_NAME, OLD_NAME
from app.lake.pipeline.traffic import (
    bot_enquiries,
    bot_page_views,
    human_enquiries,
    human_page_views,
    live_all_day,
)


@dataclass(frozen=True)
class PlantedDirt:
    """Exactly how much of each kind of dirt raw holds (rows that reached raw only)."""

    response_duplicates: int  # extra copies of a response_id
    response_missing_advert: int  # advert_id null or a placeholder
    response_malformed_received_at: int  # received_at text no rule can read
    response_orphan_advert: int  # advert_id given but no such advert
    response_bots: int  # automated enquiries (after removing repeats)
    page_view_bots: int  # page views by crawlers and scrapers
    page_view_bot_visitors: int  # distinct cookies behind them
    advert_duplicates: int  # advert records delivered twice
    advert_rows_highlight: int  # raw.adverts rows naming the product Highlight
    advert_rows_spotlight: int  # ... and Spotlight, its name from 1 March 2024
    price_change_duplicates: int  # price rows delivered twice
    price_change_corrections: int  # mistyped prices corrected by a later row
    stock_rows_missing_price: int  # feed rows with a blank or 'POA' price

    def as_dict(self) -> dict[str, int]:
        """The amounts by name, for the manifest and for printing."""
        return asdict(self)


@dataclass(frozen=True)
class Generated:
    """Every delivery for one seed and scale, with the dirt planted in them."""

    seed: int
    scale: int
    deliveries: dict[str, Delivery]  # by raw dataset name
    dirt: PlantedDirt


def _stream(seed: int, part: str) -> random.Random:
    """An independent random stream for one part of the generator."""
    return random.Random(f"{seed}/{part}")


def _traffic(seed: int, scale: int, market: Market) -> tuple[list, list]:
    """Enquiries and page loads, numbered in time order."""
    live = live_all_day(market.adverts)
    enquiries = human_enquiries(_stream(seed, "enquiries"), market, scale)
    enquiries += bot_enquiries(_stream(seed, "bot-enquiries"), live, scale)
    enquiries.sort(key=lambda e: (e.received_at, e.advert.advert_id))
    for number, enquiry in enumerate(enquiries, start=10000001):
        enquiry.response_id = f"R{number}"
    cookies: set[str] = set()  # only ever asked "is this one taken?"
    loads = human_page_views(_stream(seed, "visits"), live, scale, cookies)
    loads += bot_page_views(_stream(seed, "crawlers"), live, scale, cookies)
    loads.sort(key=lambda p: (p.event_time, p.cookie_id))
    for number, load in enumerate(loads, start=100000001):
        load.event_id = f"E{number}"
    return enquiries, loads


def _counted(found: Delivery, tag: str) -> list:
    """The landed rows of a delivery carrying ``tag``."""
    return [landing for landing in found.landed() if landing.tag == tag]


def generate(seed: int = 42, scale: int = 1) -> Generated:
    """Simulate the marketplace and deliver it, dirt included; same inputs, same output."""
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    market = simulate_market(_stream(seed, "market"), scale)
    enquiries, loads = _traffic(seed, scale, market)
    found = {
        "customers": deliveries.customers(_stream(seed, "crm"), market),
        "stock_feed": deliveries.stock_feed(market),
        "adverts": deliveries.adverts(market),
        "price_changes": deliveries.price_changes(_stream(seed, "prices"), market),
        "responses": deliveries.responses(_stream(seed, "responses"), enquiries),
        "page_views": deliveries.page_views(_stream(seed, "page-views"), loads),
    }
    planted: dict[str, int] = {}
    dirty = _stream(seed, "dirt")
    planted |= dirt.responses(dirty, found["responses"], scale)
    planted |= dirt.adverts(dirty, found["adverts"], scale)
    planted |= dirt.price_changes(dirty, found["price_changes"], scale)
    planted |= dirt.stock_feed(dirty, found["stock_feed"], scale)
    bot_views = _counted(found["page_views"], "bot")
    products = [landing.row[3] for landing in found["adverts"].landed()]
    planted |= {
        "response_bots": len(_counted(found["responses"], "bot")),
        "page_view_bots": len(bot_views),
        "page_view_bot_visitors": len({landing.row[1] for landing in bot_views}),
        "advert_rows_highlight": products.count(OLD_NAME),
        "advert_rows_spotlight": products.count(NEW_NAME),
    }
    return Generated(seed, scale, found, PlantedDirt(**planted))

"""Turn what happened into what was delivered: rows of text, filed by load date.

Source systems each have their habits (prices as '£12,995', statuses in any
case, timestamps in three formats, late events); those are reproduced here.
Deliberate dirt with counted amounts is planted afterwards by ``dirt``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.lake.dictionary import dataset
from app.lake.pipeline.market import LAST_DAY, Customer, Market
from app.lake.pipeline.timeline import NEW_NAME, OLD_NAME, PERIOD_END, PERIOD_START, RENAME_DAY
from app.lake.pipeline.traffic import Enquiry, PageLoad

LONDON = ZoneInfo("Europe/London")
EPOCH = datetime(1970, 1, 1)
PRODUCT_NAMES = {"standard": "Standard", "featured": "Featured"}


@dataclass
class Landing:
    """One row delivered on ``load_date``; ``retry`` rows repeat an earlier delivery."""

    load_date: date
    row: list
    tag: str = ""  # what the dirt planter may pick it for, e.g. "human"
    retry: bool = False


@dataclass
class Delivery:
    """Everything delivered for one raw dataset, in the order it would be written."""

    name: str  # the raw dataset's name, e.g. "responses"
    landings: list[Landing] = field(default_factory=list)

    @property
    def columns(self) -> tuple[str, ...]:
        """The delivered columns: the raw dataset's, less the load date from the path."""
        found = dataset(f"raw.{self.name}")
        assert found is not None
        return tuple(c.name for c in found.columns if c.name != "load_date")

    def by_day(self) -> dict[date, list[list]]:
        """Rows per load date, days in order and retries after first deliveries."""
        days: dict[date, list[list]] = {}
        ordered = sorted(self.landings, key=lambda landing: (landing.load_date, landing.retry))
        for landing in ordered:
            days.setdefault(landing.load_date, []).append(landing.row)
        return days

    def landed(self) -> list[Landing]:
        """Rows that reached raw (not those still waiting in transient)."""
        return [landing for landing in self.landings if landing.load_date <= PERIOD_END]


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, the way most systems send it."""
    return moment.isoformat(timespec="seconds") + "Z"


def product_name(code: str, on: date) -> str:
    """What the source system called a product on a given day."""
    if code == "spotlight":
        return NEW_NAME if on >= RENAME_DAY else OLD_NAME
    return PRODUCT_NAMES[code]


def price_text(customer: Customer, price: int) -> str:
    """An asking price the way this retailer's stock system writes it."""
    return f"£{price:,}" if customer.pounds_prices else str(price)


def customers(rng: random.Random, market: Market) -> Delivery:
    """A CRM extract on the first of each month, statuses typed in any case."""
    delivery = Delivery("customers")
    month = PERIOD_START
    while month <= PERIOD_END:
        for c in market.customers:
            if c.joined_on > month:
                continue
            status = c.status_on(month)
            status = rng.choice((status, status.capitalize(), status.upper()))
            name = c.name + " " if rng.random() < 0.05 else c.name
            row = [
                c.customer_id, name, c.group_id, c.region, status, c.joined_on.isoformat(),
                c.package, str(c.allowance), c.contact_name, c.contact_email, c.contact_phone,
            ]  # fmt: skip
            delivery.landings.append(Landing(month, row))
        month = (month + timedelta(days=32)).replace(day=1)
    return delivery


def stock_feed(market: Market) -> Delivery:
    """The nightly feed: every vehicle held that day, with that day's price."""
    delivery = Delivery("stock_feed")
    for v in market.vehicles:
        first = max(v.arrived_on, PERIOD_START)
        gone = min(v.sold_on or LAST_DAY + timedelta(days=1), LAST_DAY + timedelta(days=1))
        fixed = [v.stock_id, v.customer.customer_id, v.make, v.model, str(v.year), str(v.mileage),
                 v.fuel_type, v.body_type, v.colour]  # fmt: skip
        arrived = v.arrived_on.isoformat()
        changes = iter(v.prices[1:])
        upcoming = next(changes, None)
        shown = price_text(v.customer, v.price_on(first))
        for offset in range((gone - first).days):
            day = first + timedelta(days=offset)
            # Walk the price history alongside the days rather than searching it daily.
            while upcoming is not None and upcoming[0] <= day:
                shown = price_text(v.customer, upcoming[1])
                upcoming = next(changes, None)
            delivery.landings.append(Landing(day, [*fixed, shown, arrived]))
    return delivery


def adverts(market: Market) -> Delivery:
    """A record when each advert goes live and another when it comes down."""
    delivery = Delivery("adverts")
    for a in market.adverts:
        v = a.vehicle
        landed = max(a.published_at.date(), PERIOD_START)
        if landed <= PERIOD_END:
            row = [a.advert_id, v.stock_id, v.customer.customer_id,
                   product_name(a.product, landed), "live", iso(a.published_at), None]  # fmt: skip
            delivery.landings.append(Landing(landed, row))
        if a.withdrawn_at and a.withdrawn_at.date() <= PERIOD_END:
            pulled = a.withdrawn_at.date()
            row = [a.advert_id, v.stock_id, v.customer.customer_id,
                   product_name(a.product, pulled), "withdrawn", iso(a.published_at),
                   iso(a.withdrawn_at)]  # fmt: skip
            delivery.landings.append(Landing(pulled, row))
    return delivery


def price_changes(rng: random.Random, market: Market) -> Delivery:
    """Each advert's first price and every change, received minutes after it was made."""
    delivery = Delivery("price_changes")
    for a in market.adverts:
        for number, (changed, price) in enumerate(a.price_log):
            ingested = changed + timedelta(seconds=rng.randint(300, 5400))
            landed = max(ingested.date(), PERIOD_START)
            if landed <= PERIOD_END:
                row = [
                    a.advert_id,
                    price_text(a.vehicle.customer, price),
                    iso(changed),
                    iso(ingested),
                ]
                delivery.landings.append(Landing(landed, row, "first" if number == 0 else "change"))
    return delivery


def received_text(rng: random.Random, moment: datetime) -> str | int:
    """A time as a sender might write it: ISO UTC, UK local time, or epoch seconds."""
    style = rng.random()
    if style < 0.75:
        return iso(moment)
    if style < 0.90:
        local = moment.replace(tzinfo=UTC).astimezone(LONDON)
        return local.strftime("%d/%m/%Y %H:%M")
    return int((moment - EPOCH).total_seconds())  # a number, not text: schema drift


def responses(rng: random.Random, enquiries: list[Enquiry]) -> Delivery:
    """Enquiries in daily drops; one in twenty people's arrives a day late."""
    delivery = Delivery("responses")
    for e in enquiries:
        late = not e.bot and rng.random() < 0.05
        load = e.received_at.date() + timedelta(days=1 if late else 0)
        if load > LAST_DAY:
            continue  # not delivered yet
        when = iso(e.received_at) if e.bot else received_text(rng, e.received_at)
        row = [e.response_id, e.advert.advert_id, e.channel, when, e.name, e.email, e.phone,
               e.message, e.user_agent]  # fmt: skip
        delivery.landings.append(Landing(load, row, "bot" if e.bot else "human"))
    return delivery


def page_views(rng: random.Random, loads: list[PageLoad]) -> Delivery:
    """Page-load events in daily batches; phones that were offline deliver a day late."""
    delivery = Delivery("page_views")
    for p in loads:
        late = not p.bot and rng.random() < 0.02
        load = p.event_time.date() + timedelta(days=1 if late else 0)
        if load > LAST_DAY:
            continue
        when = p.event_time.isoformat(timespec="milliseconds") + "Z"
        row = [p.event_id, p.cookie_id, p.advert_id, p.page_type, when, p.user_agent,
               p.ip_address, p.referrer]  # fmt: skip
        delivery.landings.append(Landing(load, row, "bot" if p.bot else "human"))
    return delivery

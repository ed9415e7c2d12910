"""The marketplace as it really was: retailers, their vehicles, adverts and prices.

This is the clean truth the raw files are later written from (and dirtied).
Everything is drawn from the ``random.Random`` passed in, in a fixed order, so
one seed always gives one market.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.lake.pipeline import vocab
from app.lake.pipeline.timeline import PENDING_DAY, PERIOD_START, RENAME_DAY

CUSTOMERS_PER_SCALE = 220
LAST_DAY = PENDING_DAY  # the market runs one day past raw, for the pending drop
DAY = timedelta(days=1)


@dataclass
class Customer:
    """A retailer's trading site."""

    customer_id: str
    name: str
    group_id: str | None
    region: str
    package: str
    allowance: int
    stock_level: int  # vehicles it usually holds
    joined_on: date
    lapsed_on: date | None
    contact_name: str
    contact_email: str
    contact_phone: str
    pounds_prices: bool  # its stock system writes prices as '£12,995'

    def status_on(self, day: date) -> str:
        """'active', or 'lapsed' from the day the subscription ended."""
        return "lapsed" if self.lapsed_on is not None and day >= self.lapsed_on else "active"


@dataclass
class Vehicle:
    """One stock item: on the forecourt from arrived_on until the day before sold_on."""

    customer: Customer
    slot: int
    make: str
    model: str
    body_type: str
    fuel_type: str
    colour: str
    year: int
    mileage: int
    arrived_on: date
    sold_on: date | None  # None: still held on the last day
    prices: list[tuple[date, int]]  # (effective from, asking price), oldest first
    stock_id: str = ""

    def price_on(self, day: date) -> int:
        """The asking price in force on ``day``."""
        current = self.prices[0][1]
        for effective, price in self.prices:
            if effective > day:
                break
            current = price
        return current


@dataclass
class Advert:
    """A page on the site for one vehicle."""

    vehicle: Vehicle
    product: str  # product code
    published_at: datetime
    withdrawn_at: datetime | None
    advert_id: str = ""
    attractiveness: float = 1.0
    price_log: list[tuple[datetime, int]] = field(default_factory=list)


@dataclass
class Market:
    """Everything that happened in the period, before anything was delivered."""

    customers: list[Customer]
    vehicles: list[Vehicle]
    adverts: list[Advert]


def at(day: date, rng: random.Random, first_hour: int = 8, last_hour: int = 19) -> datetime:
    """A moment on ``day`` during opening hours (UTC)."""
    seconds = rng.randint(first_hour * 3600, last_hour * 3600 - 1)
    return datetime.combine(day, time()) + timedelta(seconds=seconds)


def _weighted(rng: random.Random, options: tuple) -> object:
    """Pick the first element of one (value, weight, ...) tuple by weight."""
    values = [o[0] for o in options]
    weights = [o[-1] for o in options]
    return rng.choices(values, weights)[0]


def _slug(text: str) -> str:
    """Letters and digits only, for email addresses."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _customer(rng: random.Random, index: int, name: str, group: str | None, region: str):
    """One trading site with its package, dates and contact."""
    package = _weighted(rng, vocab.PACKAGES)
    _, allowance, fewest, most, _ = next(p for p in vocab.PACKAGES if p[0] == package)
    if rng.random() < 0.85:
        joined = PERIOD_START - timedelta(days=rng.randint(30, 3650))
        lapsed = (
            PERIOD_START + timedelta(days=rng.randint(20, 170)) if rng.random() < 0.07 else None
        )
    else:
        joined, lapsed = PERIOD_START + timedelta(days=rng.randint(1, 150)), None
    first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
    return Customer(
        customer_id=f"C{10001 + index}",
        name=name,
        group_id=group,
        region=region,
        package=package,
        allowance=allowance,
        stock_level=rng.randint(fewest, most),
        joined_on=joined,
        lapsed_on=lapsed,
        contact_name=f"{first} {last}",
        contact_email=f"{_slug(first)}.{_slug(last)}@{_slug(name)}.co.uk",
        contact_phone=f"0{rng.randint(1130, 1999)} {rng.randint(100000, 999999)}",
        pounds_prices=rng.random() < 0.15,
    )


def make_customers(rng: random.Random, count: int) -> list[Customer]:
    """``count`` trading sites; about one in eight starts a group of two to five sites."""
    customers: list[Customer] = []
    groups = 0
    while len(customers) < count:
        region, towns = rng.choice(vocab.REGIONS)
        room = count - len(customers)
        if room >= 2 and rng.random() < 0.12:
            groups += 1
            brand = f"{rng.choice(vocab.GROUP_WORDS)} {rng.choice(vocab.SITE_SUFFIXES)}"
            for town in rng.sample(towns, min(rng.randint(2, 5), room, len(towns))):
                customers.append(
                    _customer(rng, len(customers), f"{brand} {town}", f"G{100 + groups}", region)
                )
        else:
            town = rng.choice(towns)
            owner = rng.choice((town, rng.choice(vocab.FAMILY_NAMES)))
            name = f"{owner} {rng.choice(vocab.SITE_SUFFIXES)}"
            customers.append(_customer(rng, len(customers), name, None, region))
    return customers


def _asking(price: float) -> int:
    """An asking price the way retailers set them."""
    # Retailers price just under a round figure: 12,995 rather than 13,000.
    return max(995, int(price // 250) * 250 - 5)


def _vehicle(rng: random.Random, customer: Customer, slot: int, arrived: date, sold: date | None):
    """One vehicle with its price history while it is held."""
    make, model, body, new_price = rng.choice(vocab.MODELS)
    fuel = "Electric" if make == "Tesla" else _weighted(rng, vocab.FUELS)
    year = 2023 - min(int(rng.expovariate(1 / 4.5)), 11)
    age = 2024 - year
    mileage = max(300, int(age * rng.uniform(5000, 11000)) // 10 * 10)
    price = _asking(new_price * 0.85**age * rng.uniform(0.9, 1.1))
    prices = [(arrived, price)]
    day = arrived + timedelta(days=rng.randint(10, 20))
    while day < (sold or LAST_DAY + DAY):
        if rng.random() < 0.5:
            lower = _asking(price * (1 - rng.uniform(0.02, 0.06)))
            if lower < price:
                price = lower
                prices.append((day, price))
        day += timedelta(days=rng.randint(10, 20))
    return Vehicle(
        customer, slot, make, model, body, fuel, rng.choice(vocab.COLOURS), year, mileage,
        arrived, sold, prices,
    )  # fmt: skip


def _stay(rng: random.Random) -> int:
    """How many nights a vehicle stays on the forecourt."""
    return min(150, 1 + int(rng.expovariate(1 / 28)))


def stock_for(rng: random.Random, customer: Customer) -> list[Vehicle]:
    """Every vehicle the customer holds in the period, slot by slot, back to back."""
    leaves = min(customer.lapsed_on or LAST_DAY + DAY, LAST_DAY + DAY)
    vehicles = []
    for slot in range(customer.stock_level):
        if customer.joined_on < PERIOD_START:
            arrived = PERIOD_START - timedelta(days=rng.randint(0, 45))
            sold = PERIOD_START + timedelta(days=_stay(rng))
        else:
            arrived = customer.joined_on + timedelta(days=rng.randint(0, 10))
            sold = arrived + timedelta(days=_stay(rng))
        while arrived < leaves:
            # A lapsed customer's stock leaves the feed with them.
            gone = sold if sold < leaves else (leaves if leaves <= LAST_DAY else None)
            vehicles.append(_vehicle(rng, customer, slot, arrived, gone))
            arrived = sold + timedelta(days=rng.randint(0, 4))
            sold = arrived + timedelta(days=_stay(rng))
    return vehicles


PRODUCT_MIX = {
    "Starter": (("standard", 0.85), ("spotlight", 0.15)),
    "Standard": (("standard", 0.70), ("spotlight", 0.22), ("featured", 0.08)),
    "Premium": (("standard", 0.55), ("spotlight", 0.25), ("featured", 0.20)),
}
PHOTO_DELAY = ((0, 0.35), (1, 0.33), (2, 0.15), (3, 0.10), (None, 0.07))


def _adverts_for(rng: random.Random, vehicle: Vehicle) -> list[Advert]:
    """The adverts a vehicle gets: none, one, or two when relisted."""
    delay = _weighted(rng, PHOTO_DELAY)
    if delay is None:
        return []  # sold before anyone photographed it
    publish_day = vehicle.arrived_on + timedelta(days=delay)
    if publish_day > LAST_DAY or (vehicle.sold_on and publish_day >= vehicle.sold_on):
        return []
    product = _weighted(rng, PRODUCT_MIX[vehicle.customer.package])
    published = at(publish_day, rng)
    withdrawn = at(vehicle.sold_on, rng) if vehicle.sold_on else None
    span = ((vehicle.sold_on or LAST_DAY) - publish_day).days
    if publish_day >= PERIOD_START and span >= 8 and rng.random() < 0.05:
        # Withdrawn and listed again, e.g. to fix the photos: two adverts, one vehicle.
        pulled = publish_day + timedelta(days=rng.randint(2, span - 5))
        again = pulled + timedelta(days=rng.randint(1, 2))
        return [
            Advert(vehicle, product, published, at(pulled, rng)),
            Advert(vehicle, product, at(again, rng), withdrawn),
        ]
    return [Advert(vehicle, product, published, withdrawn)]


def _price_log(rng: random.Random, advert: Advert) -> list[tuple[datetime, int]]:
    """The advert's first price and each change while it was live."""
    vehicle, published, withdrawn = advert.vehicle, advert.published_at, advert.withdrawn_at
    log = [(published, vehicle.price_on(published.date()))]
    for effective, price in vehicle.prices[1:]:
        if published.date() < effective <= LAST_DAY and (
            withdrawn is None or effective < withdrawn.date()
        ):
            log.append((at(effective, rng, 7, 21), price))
    return log


def _show_the_new_name_on_rename_day(adverts: list[Advert]) -> None:
    """Make sure an advert sold as Spotlight is published on the rename day."""
    # Exercises ask when the new name first appears; make it the rename day itself.
    that_day = [a for a in adverts if a.published_at.date() == RENAME_DAY]
    if that_day and not any(a.product == "spotlight" for a in that_day):
        that_day[0].product = "spotlight"


def simulate_market(rng: random.Random, scale: int) -> Market:
    """Customers, their vehicles and adverts with price histories, ids given in time order."""
    customers = make_customers(rng, CUSTOMERS_PER_SCALE * scale)
    vehicles = [v for c in customers for v in stock_for(rng, c)]
    vehicles.sort(key=lambda v: (v.arrived_on, v.customer.customer_id, v.slot))
    for number, vehicle in enumerate(vehicles, start=1000001):
        vehicle.stock_id = f"S{number}"
    adverts = [a for v in vehicles for a in _adverts_for(rng, v)]
    adverts.sort(key=lambda a: (a.published_at, a.vehicle.stock_id))
    for number, advert in enumerate(adverts, start=2000001):
        advert.advert_id = f"A{number}"
        advert.attractiveness = rng.lognormvariate(0, 0.6)
        advert.price_log = _price_log(rng, advert)
    _show_the_new_name_on_rename_day(adverts)
    return Market(customers, vehicles, adverts)

"""Buyers and bots on the site: responses (enquiries) and page views, before delivery.

People are generated to stay well inside the limits the refining rules use
(at most three enquiries a day, a few dozen page views a day), and bots well
outside them, so "how many bots?" has one exact answer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.lake.pipeline import vocab
from app.lake.pipeline.market import LAST_DAY, Advert, Market
from app.lake.pipeline.timeline import PERIOD_START

SESSIONS_PER_SCALE = 7000
VISITORS_PER_SCALE = 2800
BUYERS_PER_SCALE = 3000
RESPONSE_RATE = 0.03  # enquiries per advert per live day, before attractiveness
PRODUCT_PULL = {"standard": 1.0, "spotlight": 1.6, "featured": 2.2}
CHANNELS = (("email", 0.55), ("phone", 0.30), ("chat", 0.15))
MESSAGES = (
    "Hi, is the {make} {model} still available? Thanks, {first}",
    "Could I book a test drive of the {model} this weekend? {first} {last}",
    "What's your best price on the {make} {model}? You can call me on {phone}.",
    "Is there any finance available on this {model}? Regards, {first}",
    "Does the {model} have a full service history? {first}",
)
DAYS = [PERIOD_START + timedelta(days=n) for n in range((LAST_DAY - PERIOD_START).days + 1)]


@dataclass
class Enquiry:
    """One response as it happened (ids and delivery come later)."""

    advert: Advert
    channel: str
    received_at: datetime
    name: str | None
    email: str | None
    phone: str | None
    message: str | None
    user_agent: str | None
    bot: bool
    response_id: str = ""


@dataclass
class PageLoad:
    """One page view as it happened."""

    event_time: datetime
    cookie_id: str
    advert_id: str | None
    page_type: str
    user_agent: str
    ip_address: str
    referrer: str | None
    bot: bool
    event_id: str = ""


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count with the given mean (Knuth's method)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def live_all_day(adverts: list[Advert]) -> list[list[Advert]]:
    """For each day of the period, the adverts that were live from midnight to midnight."""
    by_day: list[list[Advert]] = [[] for _ in DAYS]
    for advert in adverts:
        first = max(advert.published_at.date() + timedelta(days=1), PERIOD_START)
        last = advert.withdrawn_at.date() - timedelta(days=1) if advert.withdrawn_at else LAST_DAY
        for n in range((first - PERIOD_START).days, (last - PERIOD_START).days + 1):
            by_day[n].append(advert)
    return by_day


def _buyer(index: int) -> tuple[str, str, str, str]:
    """The name, email and phone of buyer number ``index``; different buyers never share them."""
    first = vocab.FIRST_NAMES[index % len(vocab.FIRST_NAMES)]
    last = vocab.LAST_NAMES[(index // len(vocab.FIRST_NAMES)) % len(vocab.LAST_NAMES)]
    domain = vocab.EMAIL_DOMAINS[index % len(vocab.EMAIL_DOMAINS)]
    email = f"{first}.{last}{index}@{domain}".lower().replace("'", "")
    # 7919 is prime to 10**9, so every buyer gets a different number.
    digits = f"{(index * 7919 + 123457) % 10**9:09d}"
    return first, last, email, f"07{digits[:3]} {digits[3:]}"


def human_enquiries(rng: random.Random, market: Market, scale: int) -> list[Enquiry]:
    """Buyers' responses, at most three per buyer per day."""
    enquiries: list[Enquiry] = []
    per_day: dict[tuple[int, date], int] = {}
    pool = BUYERS_PER_SCALE * scale
    opened = datetime.combine(PERIOD_START, time())
    closed = datetime.combine(LAST_DAY + timedelta(days=1), time())
    for advert in market.adverts:
        start = max(advert.published_at, opened)
        window = ((advert.withdrawn_at or closed) - start).total_seconds()
        if window <= 0:
            continue
        mean = RESPONSE_RATE * advert.attractiveness * PRODUCT_PULL[advert.product]
        for _ in range(_poisson(rng, mean * window / 86400)):
            moment = start + timedelta(seconds=int(rng.random() * window))
            buyer = rng.randrange(pool)
            while per_day.get((buyer, moment.date()), 0) >= 3:
                buyer = rng.randrange(pool)
            per_day[(buyer, moment.date())] = per_day.get((buyer, moment.date()), 0) + 1
            enquiries.append(_human(rng, advert, moment, _buyer(buyer)))
    return enquiries


def _human(rng: random.Random, advert: Advert, moment: datetime, buyer: tuple) -> Enquiry:
    """One person's enquiry: calls carry only a number, forms a name, email and message."""
    first, last, email, phone = buyer
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    if channel == "phone":
        return Enquiry(advert, channel, moment, None, None, phone, None, None, False)
    vehicle = advert.vehicle
    message = rng.choice(MESSAGES).format(
        make=vehicle.make, model=vehicle.model, first=first, last=last, phone=phone
    )
    shares_phone = rng.random() < 0.5
    return Enquiry(
        advert, channel, moment, f"{first} {last}", email, phone if shares_phone else None,
        message, rng.choice(vocab.BROWSERS), False,
    )  # fmt: skip


def bot_enquiries(rng: random.Random, live: list[list[Advert]], scale: int) -> list[Enquiry]:
    """Form-filling scripts that say what they are, and bursts that pretend to be browsers."""
    enquiries: list[Enquiry] = []
    days = [n for n, adverts in enumerate(live) if adverts]
    for script in range(4 * scale):
        agent = rng.choice(vocab.FORM_SCRIPTS)
        email = f"lead{script + 1}@{rng.choice(vocab.SPAM_DOMAINS)}"
        for _ in range(rng.randint(10, 25)):
            day = rng.choice(days)
            moment = datetime.combine(DAYS[day], time()) + timedelta(seconds=rng.randrange(86400))
            enquiries.append(_bot(rng, rng.choice(live[day]), moment, email, agent))
    for burst in range(3 * scale):
        agent = rng.choice(vocab.BROWSERS)
        email = f"offers{burst + 1}@{rng.choice(vocab.SPAM_DOMAINS)}"
        day = rng.choice(days)
        # Dozens of enquiries within minutes, all on one UTC day.
        moment = datetime.combine(DAYS[day], time()) + timedelta(seconds=rng.randint(0, 85000))
        for _ in range(rng.randint(15, 40)):
            moment += timedelta(seconds=rng.randint(5, 15))
            enquiries.append(_bot(rng, rng.choice(live[day]), moment, email, agent))
    return enquiries


def _bot(rng: random.Random, advert: Advert, moment: datetime, email: str, agent: str) -> Enquiry:
    """One automated enquiry."""
    text = rng.choice(("Great deals on car finance, reply now", "test", "asdf asdf", "SEO offer"))
    return Enquiry(advert, "email", moment, "Test Test", email, None, text, agent, True)


def human_page_views(
    rng: random.Random, live: list[list[Advert]], scale: int, taken: set[str]
) -> list[PageLoad]:
    """Visits by people: short sessions of searches and adverts, a few dozen pages a day at most."""
    visitors = [
        (_cookie(rng, taken), _ip(rng, (81, 86, 92, 109, 176, 212)), rng.choice(vocab.BROWSERS))
        for _ in range(VISITORS_PER_SCALE * scale)
    ]
    per_day: dict[tuple[int, int], int] = {}
    loads: list[PageLoad] = []
    for _ in range(SESSIONS_PER_SCALE * scale):
        day = rng.randrange(len(DAYS))
        pages = min(12, 1 + int(rng.expovariate(1 / 3.5)))
        who = rng.randrange(len(visitors))
        while per_day.get((who, day), 0) + pages > 36:
            who = rng.randrange(len(visitors))
        per_day[(who, day)] = per_day.get((who, day), 0) + pages
        cookie, ip, agent = visitors[who]
        moment = datetime.combine(DAYS[day], time()) + timedelta(
            seconds=rng.randint(6 * 3600, 23 * 3600 + 1800), milliseconds=rng.randrange(1000)
        )
        referrer = rng.choice(vocab.REFERRERS)
        for page in range(pages):
            advert_share = 0.5 if page == 0 else 0.7
            if rng.random() < advert_share and live[day]:
                target, kind = rng.choice(live[day]).advert_id, "advert"
            else:
                target, kind = None, "search" if page or rng.random() < 0.8 else "home"
            loads.append(PageLoad(moment, cookie, target, kind, agent, ip, referrer, False))
            referrer = None
            moment += timedelta(seconds=rng.randint(8, 240), milliseconds=rng.randrange(1000))
    return loads


def bot_page_views(
    rng: random.Random, live: list[list[Advert]], scale: int, taken: set[str]
) -> list[PageLoad]:
    """Crawlers that name themselves, and scrapers posing as browsers loading hundreds of pages."""
    loads: list[PageLoad] = []
    runs = [(rng.choice(vocab.CRAWLERS), 40, 120, 2, 10) for _ in range(30 * scale)]
    runs += [(rng.choice(vocab.BROWSERS), 220, 400, 1, 3) for _ in range(5 * scale)]
    for agent, fewest, most, quickest, slowest in runs:
        cookie = _cookie(rng, taken)
        ip = _ip(rng, (5, 40, 66, 157))
        day = rng.randrange(len(DAYS))
        pages = rng.randint(fewest, most)
        # The whole run stays on one UTC day, so a per-day count sees all of it.
        latest_start = 86400 - pages * (slowest + 1) - 1
        moment = datetime.combine(DAYS[day], time()) + timedelta(
            seconds=rng.randint(0, latest_start)
        )
        for _ in range(pages):
            if live[day] and rng.random() < 0.85:
                target, kind = rng.choice(live[day]).advert_id, "advert"
            else:
                target, kind = None, "search"
            loads.append(PageLoad(moment, cookie, target, kind, agent, ip, None, True))
            moment += timedelta(
                seconds=rng.randint(quickest, slowest), milliseconds=rng.randrange(1000)
            )
    return loads


def _cookie(rng: random.Random, taken: set[str]) -> str:
    """A new tracking cookie, never one already handed out (``taken`` is only looked up)."""
    while True:
        cookie = f"{rng.getrandbits(64):016x}"
        if cookie not in taken:
            taken.add(cookie)
            return cookie


def _ip(rng: random.Random, first_octets: tuple[int, ...]) -> str:
    """An IP address in one of the given /8 blocks."""
    rest = ".".join(str(rng.randint(1, 254)) for _ in range(3))
    return f"{rng.choice(first_octets)}.{rest}"

"""The refining rules as SQL fragments, shared by the transforms and by ``lake check``.

Keeping one copy means the check counts dirt in raw exactly the way refining
treats it: a row the check calls a bot is a row refined flags.
"""

from __future__ import annotations

# The name each product has been sold under, to its stable code.
PRODUCT_CODES: tuple[tuple[str, str], ...] = (
    ("Standard", "standard"),
    ("Highlight", "spotlight"),
    ("Spotlight", "spotlight"),
    ("Featured", "featured"),
)
PLACEHOLDERS = ("", "N/A", "unknown", "0")
BOT_AGENT_PATTERN = r"(bot|crawler|spider|headless|python-requests|curl/|scrapy)"
# No person sends more than a handful of enquiries in a day, or loads this many pages.
RESPONSE_BURST_LIMIT = 10
PAGE_VIEW_DAILY_LIMIT = 200

ISO_SECONDS = "%Y-%m-%dT%H:%M:%SZ"
ISO_MILLIS = "%Y-%m-%dT%H:%M:%S.%gZ"
UK_LOCAL = "%d/%m/%Y %H:%M"


def missing(column: str) -> str:
    """True where the text column is null or one of the placeholders for 'no value'."""
    quoted = ", ".join(f"'{p}'" for p in PLACEHOLDERS)
    return f"({column} IS NULL OR trim({column}) IN ({quoted}))"


def parse_timestamp(column: str) -> str:
    """A UTC TIMESTAMP from ISO, UK local (Europe/London) or epoch text; NULL if none fit."""
    text = f"trim({column})"
    return (
        f"CASE WHEN regexp_full_match({text}, '[0-9]{{9,11}}') "
        f"THEN make_timestamp(CAST({text} AS BIGINT) * 1000000) "
        f"ELSE coalesce(try_strptime({text}, '{ISO_SECONDS}'), "
        f"timezone('UTC', timezone('Europe/London', try_strptime({text}, '{UK_LOCAL}')))) END"
    )


def malformed_timestamp(column: str) -> str:
    """True where there is text but no timestamp can be read from it."""
    return f"({column} IS NOT NULL AND ({parse_timestamp(column)}) IS NULL)"


def bot_agent(column: str) -> str:
    """True where the user agent admits to being a program."""
    return f"coalesce(regexp_matches(lower({column}), '{BOT_AGENT_PATTERN}'), false)"


def product_code(column: str) -> str:
    """The stable product code for a product name as landed."""
    cases = " ".join(f"WHEN '{name.lower()}' THEN '{code}'" for name, code in PRODUCT_CODES)
    return f"CASE lower(trim({column})) {cases} END"


def pseudonym(salt: str, value: str) -> str:
    """A salted hash of ``value``: stable for the same input, unreadable without the salt."""
    return f"left(sha256('{salt}' || {value}), 16)"


def sender(email: str, phone: str) -> str:
    """Who sent an enquiry: the email in lower case, else the phone's digits."""
    return f"coalesce(lower(trim({email})), regexp_replace({phone}, '[^0-9]', '', 'g'))"


def flagged_responses(source: str) -> str:
    """Responses deduplicated (first load wins) with ua_bot and burst flags, from ``source``."""
    return f"""
    WITH landed AS (
        SELECT * FROM {source}
        QUALIFY row_number() OVER (PARTITION BY response_id ORDER BY load_date) = 1
    ), senders AS (
        SELECT *, {sender("buyer_email", "buyer_phone")} AS sender FROM landed
    )
    SELECT *,
           {bot_agent("user_agent")} AS ua_bot,
           sender IS NOT NULL
             AND count(*) OVER (PARTITION BY sender, load_date) > {RESPONSE_BURST_LIMIT}
             AS burst
    FROM senders"""


def flagged_page_views(source: str) -> str:
    """Page views deduplicated by event_id, typed, with ua_bot and heavy-visitor flags."""
    return f"""
    WITH landed AS (
        SELECT * FROM {source}
        QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY load_date) = 1
    ), typed AS (
        SELECT *, try_strptime(trim(event_time), '{ISO_MILLIS}') AS event_ts FROM landed
    )
    SELECT *,
           CAST(event_ts AS DATE) AS event_day,
           {bot_agent("user_agent")} AS ua_bot,
           count(*) OVER (PARTITION BY cookie_id, CAST(event_ts AS DATE))
             > {PAGE_VIEW_DAILY_LIMIT} AS heavy
    FROM typed"""

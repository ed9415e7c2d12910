"""Count the dirt in raw with SQL, the way refining sees it, to compare with what was planted."""

from __future__ import annotations

import duckdb

from app.lake.pipeline import refining_sql
from app.lake.pipeline.timeline import NEW_NAME, OLD_NAME

ADVERT_IDS = "(SELECT trim(advert_id) FROM raw.adverts WHERE advert_id IS NOT NULL)"
MISSING = refining_sql.missing("advert_id")
BOT_VIEW = "ua_bot OR heavy"

# For each source, the PlantedDirt amounts measured on it, as aggregates, so each
# raw dataset is read once. Duplicates are rows beyond the first of each key;
# bots are counted after repeat deliveries are removed, as refining does.
MEASURES: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "raw.responses",
        {
            "response_duplicates": "count(*) - count(DISTINCT response_id)",
            "response_missing_advert": f"count(*) FILTER (WHERE {MISSING})",
            "response_malformed_received_at": (
                f"count(*) FILTER (WHERE {refining_sql.malformed_timestamp('received_at')})"
            ),
            "response_orphan_advert": (
                f"count(*) FILTER (WHERE NOT {MISSING} AND trim(advert_id) NOT IN {ADVERT_IDS})"
            ),
        },
    ),
    (
        f"({refining_sql.flagged_responses('raw.responses')})",
        {"response_bots": "count(*) FILTER (WHERE ua_bot OR burst)"},
    ),
    (
        f"({refining_sql.flagged_page_views('raw.page_views')})",
        {
            "page_view_bots": f"count(*) FILTER (WHERE {BOT_VIEW})",
            "page_view_bot_visitors": f"count(DISTINCT cookie_id) FILTER (WHERE {BOT_VIEW})",
        },
    ),
    (
        "raw.adverts",
        {
            "advert_duplicates": "count(*) - count(DISTINCT (advert_id, status))",
            "advert_rows_highlight": f"count(*) FILTER (WHERE trim(product) = '{OLD_NAME}')",
            "advert_rows_spotlight": f"count(*) FILTER (WHERE trim(product) = '{NEW_NAME}')",
        },
    ),
    (
        "raw.price_changes",
        {
            "price_change_duplicates": (
                "count(*) - count(DISTINCT (advert_id, price, changed_at, ingested_at))"
            ),
            # A correction repeats a change's time with a later ingested_at.
            "price_change_corrections": (
                "count(DISTINCT (advert_id, changed_at, ingested_at)) "
                "- count(DISTINCT (advert_id, changed_at))"
            ),
        },
    ),
    (
        "raw.stock_feed",
        {
            "stock_rows_missing_price": (
                "count(*) FILTER (WHERE price IS NULL OR upper(trim(price)) IN ('', 'POA'))"
            )
        },
    ),
)


def measure_dirt(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How much of each kind of dirt the raw views hold now."""
    found: dict[str, int] = {}
    for source, amounts in MEASURES:
        columns = ", ".join(f"{sql} AS {name}" for name, sql in amounts.items())
        values = con.execute(f"SELECT {columns} FROM {source}").fetchone()
        found |= dict(zip(amounts, values, strict=True))
    return found

"""The SQL from raw to refined and refined to trusted: one query (a Step) per dataset.

Each query is the whole of its dataset's lineage: the build reads the tables a
query names to record what the dataset was made from, and ``lake check``
compares that with the dictionary. Every query ends in ORDER BY its primary key
so the files come out byte for byte the same on every build.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.lake.pipeline import refining_sql


@dataclass(frozen=True)
class Step:
    """Write ``target`` (zone.dataset) from the result of ``sql``."""

    target: str
    sql: str


def _refined(salt: str) -> list[Step]:
    """The steps from raw to refined; ``salt`` keys the pseudonyms."""
    ts = refining_sql.parse_timestamp
    price = "TRY_CAST(regexp_replace(trim({0}), '[£,]', '', 'g') AS DECIMAL(10,2))"
    return [
        Step(
            "refined.customer",
            """
            SELECT trim(customer_id) AS customer_id, load_date AS snapshot_date,
                   trim(customer_name) AS customer_name, nullif(trim(group_id), '') AS group_id,
                   trim(region) AS region, lower(trim(status)) AS status,
                   CAST(joined_on AS DATE) AS joined_on, trim(package) AS package,
                   CAST(advert_allowance AS INTEGER) AS advert_allowance
            FROM raw.customers
            QUALIFY row_number() OVER (
                PARTITION BY trim(customer_id), load_date ORDER BY customer_name) = 1
            ORDER BY customer_id, snapshot_date""",
        ),
        Step(
            "refined.stock",
            f"""
            SELECT trim(stock_id) AS stock_id, load_date AS snapshot_date,
                   trim(customer_id) AS customer_id, make, model,
                   CAST(year AS INTEGER) AS year, CAST(mileage AS INTEGER) AS mileage,
                   fuel_type, body_type, colour,
                   CASE WHEN upper(trim(price)) = 'POA' THEN NULL
                        ELSE {price.format("price")} END AS price_gbp,
                   CAST(arrived_on AS DATE) AS arrived_on
            FROM raw.stock_feed
            QUALIFY row_number() OVER (PARTITION BY stock_id, load_date ORDER BY price) = 1
            ORDER BY stock_id, snapshot_date""",
        ),
        Step(
            "refined.advert",
            f"""
            WITH landed AS (
                SELECT trim(advert_id) AS advert_id, trim(stock_id) AS stock_id,
                       trim(customer_id) AS customer_id, trim(product) AS product,
                       lower(trim(status)) AS status,
                       try_strptime(published_at, '{refining_sql.ISO_SECONDS}') AS published_at,
                       try_strptime(withdrawn_at, '{refining_sql.ISO_SECONDS}') AS withdrawn_at,
                       load_date
                FROM raw.adverts
            ), first_landing AS (
                SELECT advert_id, product AS product_name_as_landed, load_date AS first_loaded_on
                FROM landed
                QUALIFY row_number() OVER (PARTITION BY advert_id ORDER BY load_date, status) = 1
            ), latest AS (
                SELECT * FROM landed
                QUALIFY row_number() OVER (
                    PARTITION BY advert_id ORDER BY load_date DESC, status DESC) = 1
            )
            SELECT latest.advert_id, stock_id, customer_id,
                   {refining_sql.product_code("product")} AS product_code, product_name_as_landed,
                   published_at, withdrawn_at, first_loaded_on, load_date AS last_loaded_on
            FROM latest JOIN first_landing ON first_landing.advert_id = latest.advert_id
            ORDER BY advert_id""",
        ),
        Step(
            "refined.price_change",
            f"""
            SELECT trim(advert_id) AS advert_id, {price.format("price")} AS price_gbp,
                   try_strptime(changed_at, '{refining_sql.ISO_SECONDS}') AS changed_at,
                   try_strptime(ingested_at, '{refining_sql.ISO_SECONDS}') AS ingested_at,
                   min(load_date) AS load_date
            FROM raw.price_changes
            GROUP BY ALL
            ORDER BY advert_id, changed_at, ingested_at""",
        ),
        Step(
            "refined.response",
            f"""
            WITH flagged AS ({refining_sql.flagged_responses("raw.responses")})
            SELECT response_id,
                   CASE WHEN {refining_sql.missing("advert_id")} THEN NULL ELSE trim(advert_id) END
                     AS advert_id,
                   lower(trim(channel)) AS channel,
                   {ts("received_at")} AS received_at,
                   received_at AS received_at_as_landed,
                   {refining_sql.pseudonym(salt, "sender")} AS buyer_key,
                   user_agent,
                   ua_bot OR burst AS is_bot,
                   CASE WHEN ua_bot THEN 'automated user agent'
                        WHEN burst THEN 'burst of enquiries' END AS bot_reason,
                   load_date
            FROM flagged
            ORDER BY response_id""",
        ),
        Step(
            "refined.page_view",
            f"""
            WITH flagged AS ({refining_sql.flagged_page_views("raw.page_views")})
            SELECT event_id, event_ts AS event_time, event_day AS event_date,
                   {refining_sql.pseudonym(salt, "cookie_id")} AS visitor_id,
                   nullif(trim(advert_id), '') AS advert_id, page_type, referrer, user_agent,
                   ua_bot OR heavy AS is_bot,
                   CASE WHEN ua_bot THEN 'automated user agent'
                        WHEN heavy THEN 'more page views in a day than a person makes'
                   END AS bot_reason,
                   load_date
            FROM flagged
            ORDER BY event_id""",
        ),
    ]


TRUSTED = [
    Step(
        "trusted.customer",
        """
        SELECT customer_id, customer_name, group_id, region, status, joined_on, package,
               advert_allowance
        FROM refined.customer
        QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY snapshot_date DESC) = 1
        ORDER BY customer_id""",
    ),
    Step(
        "trusted.product",
        """
        WITH names AS (
            SELECT product_code, product_name_as_landed AS name,
                   min(first_loaded_on) AS first_used
            FROM refined.advert
            GROUP BY ALL
        ), ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY product_code ORDER BY first_used DESC, name) AS recency
            FROM names
        )
        SELECT latest.product_code, latest.name AS product_name, earlier.name AS previous_name,
               CASE WHEN earlier.name IS NOT NULL THEN latest.first_used END AS renamed_on
        FROM ranked AS latest
        LEFT JOIN ranked AS earlier
               ON earlier.product_code = latest.product_code AND earlier.recency = 2
        WHERE latest.recency = 1
        ORDER BY product_code""",
    ),
    Step(
        "trusted.stock",
        """
        SELECT stock_id, snapshot_date, customer_id, make, model, year, mileage, fuel_type,
               body_type, colour, price_gbp, arrived_on,
               CAST(snapshot_date - arrived_on AS INTEGER) AS days_in_stock
        FROM refined.stock
        WHERE customer_id IN (SELECT customer_id FROM trusted.customer)
        ORDER BY stock_id, snapshot_date""",
    ),
    Step(
        "trusted.advert",
        """
        WITH latest_price AS (
            SELECT advert_id, price_gbp
            FROM refined.price_change
            QUALIFY row_number() OVER (
                PARTITION BY advert_id ORDER BY changed_at DESC, ingested_at DESC) = 1
        )
        SELECT a.advert_id, a.stock_id, a.customer_id, a.product_code, p.price_gbp,
               a.published_at, a.withdrawn_at
        FROM refined.advert AS a
        LEFT JOIN latest_price AS p ON p.advert_id = a.advert_id
        WHERE a.stock_id IN (SELECT stock_id FROM trusted.stock)
          AND a.customer_id IN (SELECT customer_id FROM trusted.customer)
        ORDER BY a.advert_id""",
    ),
    Step(
        "trusted.response",
        """
        SELECT r.response_id, r.advert_id, a.customer_id, r.channel, r.received_at, r.buyer_key
        FROM refined.response AS r
        JOIN trusted.advert AS a ON a.advert_id = r.advert_id
        WHERE NOT r.is_bot AND r.received_at IS NOT NULL
        ORDER BY r.response_id""",
    ),
]


def steps(salt: str) -> list[Step]:
    """Every refined and trusted dataset, in an order where inputs come first."""
    return _refined(salt) + TRUSTED

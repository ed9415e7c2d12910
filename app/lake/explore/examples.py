"""Example queries, by zone, for the playground (the benchmark times the trusted ones)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    title: str
    sql: str


EXAMPLES: dict[str, list[Example]] = {
    "transient": [
        Example(
            "A landing drop, exactly as it arrived",
            "SELECT *\nFROM transient.response_drop\nLIMIT 20",
        ),
    ],
    "raw": [
        Example(
            "Responses that landed more than once",
            "SELECT response_id, count(*) AS copies\nFROM raw.responses\n"
            "GROUP BY response_id\nHAVING count(*) > 1\nORDER BY copies DESC\nLIMIT 20",
        ),
        Example(
            "Product names as they landed",
            "SELECT product, count(*) AS adverts\nFROM raw.adverts\nGROUP BY product\n"
            "ORDER BY adverts DESC",
        ),
    ],
    "refined": [
        Example(
            "How much page traffic is bots?",
            "SELECT is_bot, count(*) AS views\nFROM refined.page_view\nGROUP BY is_bot",
        ),
    ],
    "trusted": [
        Example(
            "A filter: expensive stock on the latest day",
            "SELECT stock_id, make, model, price_gbp\nFROM trusted.stock\n"
            "WHERE snapshot_date = (SELECT max(snapshot_date) FROM trusted.stock)\n"
            "  AND price_gbp > 30000\nORDER BY price_gbp DESC\nLIMIT 50",
        ),
        Example(
            "A group-by: responses per channel",
            "SELECT channel, count(*) AS responses\nFROM trusted.response\n"
            "GROUP BY channel\nORDER BY responses DESC",
        ),
        Example(
            "A three-way join: responses per retailer",
            "SELECT c.customer_name, count(*) AS responses\nFROM trusted.response AS r\n"
            "JOIN trusted.advert AS a ON a.advert_id = r.advert_id\n"
            "JOIN trusted.customer AS c ON c.customer_id = a.customer_id\n"
            "GROUP BY c.customer_name\nORDER BY responses DESC\nLIMIT 20",
        ),
        Example(
            "A window function: each retailer's dearest car",
            "SELECT customer_id, stock_id, make, model, price_gbp\nFROM (\n"
            "  SELECT *,\n"
            "    row_number() OVER (PARTITION BY customer_id ORDER BY price_gbp DESC) AS n\n"
            "  FROM trusted.stock\n"
            "  WHERE snapshot_date = (SELECT max(snapshot_date) FROM trusted.stock)\n"
            ") AS ranked\nWHERE n = 1\nORDER BY price_gbp DESC\nLIMIT 20",
        ),
    ],
    "user": [
        Example(
            "Save a result in your own scratch space",
            "CREATE OR REPLACE TABLE user.customers_by_region AS\n"
            "SELECT region, count(*) AS customers\nFROM trusted.customer\nGROUP BY region",
        ),
        Example("Read it back", "SELECT *\nFROM user.customers_by_region\nORDER BY customers DESC"),
    ],
}

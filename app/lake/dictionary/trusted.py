"""Trusted: published datasets in the business's language, with exact definitions."""

from __future__ import annotations

from app.lake.dictionary.entries import Column, Dataset, ForeignKey
from app.lake.dictionary.refined import BUYER_TEAM, CUSTOMER_TEAM, MARKETPLACE_TEAM, PRICE, VEHICLE

TO_CUSTOMER = ForeignKey(("customer_id",), "trusted.customer", ("customer_id",))

TRUSTED = (
    Dataset(
        zone="trusted",
        name="customer",
        kind="snapshot",
        grain="one row per customer (a retailer's trading site), as of the latest extract",
        primary_key=("customer_id",),
        foreign_keys=(),
        owner=CUSTOMER_TEAM,
        description=(
            "A customer is a retailer's trading site, never a buyer. A group with five "
            "forecourts is five customers sharing a group_id. Only the latest capture "
            "is kept, so there is no date column."
        ),
        columns=(
            Column("customer_id", "VARCHAR", "The retailer's identifier, e.g. C10042."),
            Column("customer_name", "VARCHAR", "Trading name of the site."),
            Column("group_id", "VARCHAR", "The retail group owning the site; null if independent."),
            Column("region", "VARCHAR", "UK region, e.g. 'North West'."),
            Column("status", "VARCHAR", "'active', or 'lapsed' once the subscription ended."),
            Column("joined_on", "DATE", "The day the account opened."),
            Column("package", "VARCHAR", "Subscription package: Starter, Standard or Premium."),
            Column(
                "advert_allowance",
                "INTEGER",
                "How many vehicles the package lets the retailer advertise at once: what "
                "sales colleagues sometimes call 'adverts'. It is not a count of adverts.",
            ),
        ),
        lineage=("refined.customer",),
        file_format="parquet",
    ),
    Dataset(
        zone="trusted",
        name="product",
        kind="snapshot",
        grain="one row per product a retailer can put on an advert",
        primary_key=("product_code",),
        foreign_keys=(),
        owner=MARKETPLACE_TEAM,
        description=(
            "The advert products under stable codes, with their current names and any "
            "earlier name: the upgrade sold as Highlight was renamed Spotlight on "
            "1 March 2024 and is one product, 'spotlight'."
        ),
        columns=(
            Column("product_code", "VARCHAR", "Stable code: standard, spotlight, featured."),
            Column("product_name", "VARCHAR", "The name it is sold under now."),
            Column("previous_name", "VARCHAR", "The name it was sold under before; null if none."),
            Column("renamed_on", "DATE", "First day of the current name; null if never renamed."),
        ),
        lineage=("refined.advert",),
        file_format="parquet",
    ),
    Dataset(
        zone="trusted",
        name="stock",
        kind="snapshot",
        grain="one row per vehicle in stock per day",
        primary_key=("stock_id", "snapshot_date"),
        foreign_keys=(TO_CUSTOMER,),
        owner=MARKETPLACE_TEAM,
        description=(
            "Stock is a vehicle a retailer has to sell, advertised or not. Captured "
            "every night and kept per snapshot_date, so filter to one day before "
            "counting vehicles."
        ),
        columns=(
            Column("stock_id", "VARCHAR", "The vehicle's identifier; repeats every day in stock."),
            Column("snapshot_date", "DATE", "The night the vehicle was in stock."),
            Column("customer_id", "VARCHAR", "The retailer holding it."),
            *VEHICLE,
            Column("days_in_stock", "INTEGER", "Days between arrived_on and snapshot_date."),
        ),
        lineage=("refined.stock", "trusted.customer"),
        file_format="parquet",
    ),
    Dataset(
        zone="trusted",
        name="advert",
        kind="snapshot",
        grain="one row per advert (a page on the site for one stock item)",
        primary_key=("advert_id",),
        foreign_keys=(
            # Every stock_id is a vehicle stock held, but it is only part of stock's key
            # (stock_id, snapshot_date): one advert matches a stock row per day held.
            ForeignKey(("stock_id",), "trusted.stock", ("stock_id",)),
            TO_CUSTOMER,
            ForeignKey(("product_code",), "trusted.product", ("product_code",)),
        ),
        owner=MARKETPLACE_TEAM,
        description=(
            "An advert is a page on our site showing one stock item to buyers: not a paid "
            "slot, not a banner. A vehicle can have several over its life (relisted) or "
            "none (sold before it was photographed). Withdrawn adverts stay, with "
            "withdrawn_at set."
        ),
        columns=(
            Column("advert_id", "VARCHAR", "The advert's identifier."),
            Column(
                "stock_id",
                "VARCHAR",
                "The vehicle it shows. Only part of trusted.stock's key (stock_id, "
                "snapshot_date): it matches one stock row per day the vehicle was held, "
                "so choose a snapshot_date when joining to stock.",
            ),
            Column("customer_id", "VARCHAR", "The retailer selling the vehicle."),
            Column("product_code", "VARCHAR", "The product on the advert (see trusted.product)."),
            Column("price_gbp", PRICE, "The latest asking price, corrections applied."),
            Column("published_at", "TIMESTAMP", "When the page went live (UTC)."),
            Column("withdrawn_at", "TIMESTAMP", "When it came down (UTC); null while live."),
        ),
        lineage=("refined.advert", "refined.price_change", "trusted.customer", "trusted.stock"),
        file_format="parquet",
    ),
    Dataset(
        zone="trusted",
        name="response",
        kind="append_log",
        grain="one row per human response",
        primary_key=("response_id",),
        foreign_keys=(
            ForeignKey(("advert_id",), "trusted.advert", ("advert_id",)),
            TO_CUSTOMER,
        ),
        owner=BUYER_TEAM,
        description=(
            "A buyer contacting a retailer about an advert, counted once and excluding "
            "automated traffic: bot-filtered. Responses without a known advert or a "
            "readable time are left out. Times are UTC."
        ),
        columns=(
            Column("response_id", "VARCHAR", "The response's identifier."),
            Column("advert_id", "VARCHAR", "The advert the buyer contacted the retailer about."),
            Column("customer_id", "VARCHAR", "The retailer contacted (the advert's customer)."),
            Column("channel", "VARCHAR", "email, phone or chat."),
            Column("received_at", "TIMESTAMP", "When it arrived (UTC)."),
            Column("buyer_key", "VARCHAR", "Pseudonymous buyer: same buyer, same key."),
        ),
        lineage=("refined.response", "trusted.advert"),
        file_format="parquet",
    ),
)

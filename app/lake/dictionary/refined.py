"""Refined: the same facts cleaned, typed and deduplicated, with bots flagged not deleted."""

from __future__ import annotations

from app.lake.dictionary.entries import Column, Dataset, ForeignKey

CUSTOMER_TEAM = "Customer data team"
MARKETPLACE_TEAM = "Marketplace data team"
BUYER_TEAM = "Buyer insight team"

LOAD_DATE = Column("load_date", "DATE", "The day the row first landed in raw.")
PRICE = "DECIMAL(10,2)"

IS_BOT = Column(
    "is_bot",
    "BOOLEAN",
    "True when the row came from automated traffic (see bot_reason); kept, not deleted.",
)
BOT_REASON = Column(
    "bot_reason",
    "VARCHAR",
    "Which rule flagged it: 'automated user agent', 'burst of enquiries' or "
    "'more page views in a day than a person makes'; null for people.",
)

VEHICLE = (
    Column("make", "VARCHAR", "Manufacturer, e.g. Ford."),
    Column("model", "VARCHAR", "Model, e.g. Focus."),
    Column("year", "INTEGER", "Year of first registration."),
    Column("mileage", "INTEGER", "Odometer reading in miles."),
    Column("fuel_type", "VARCHAR", "Petrol, Diesel, Hybrid or Electric."),
    Column("body_type", "VARCHAR", "Hatchback, Saloon, Estate, SUV, ..."),
    Column("colour", "VARCHAR", "Paint colour."),
    Column("price_gbp", PRICE, "Asking price in pounds; null when the feed gave none."),
    Column("arrived_on", "DATE", "The day the vehicle arrived on the forecourt."),
)

REFINED = (
    Dataset(
        zone="refined",
        name="customer",
        kind="snapshot",
        grain="one row per customer per monthly extract",
        primary_key=("customer_id", "snapshot_date"),
        foreign_keys=(),
        owner=CUSTOMER_TEAM,
        description=(
            "Every CRM extract, typed and tidied: trimmed names, status in lower case, "
            "dates as dates. Contact details are dropped."
        ),
        columns=(
            Column("customer_id", "VARCHAR", "The retailer's account identifier."),
            Column("snapshot_date", "DATE", "The day of the extract."),
            Column("customer_name", "VARCHAR", "Trading name of the site."),
            Column("group_id", "VARCHAR", "The retail group owning the site; null if none."),
            Column("region", "VARCHAR", "UK region."),
            Column("status", "VARCHAR", "'active' or 'lapsed' on that day."),
            Column("joined_on", "DATE", "The day the account opened."),
            Column("package", "VARCHAR", "Subscription package."),
            Column("advert_allowance", "INTEGER", "Vehicles the package allows to be advertised."),
        ),
        lineage=("raw.customers",),
        file_format="parquet",
    ),
    Dataset(
        zone="refined",
        name="stock",
        kind="snapshot",
        grain="one row per vehicle per nightly feed",
        primary_key=("stock_id", "snapshot_date"),
        foreign_keys=(),
        owner=MARKETPLACE_TEAM,
        description=(
            "The nightly stock feeds typed: numbers as numbers, prices parsed from "
            "'£12,995' style text, 'POA' and blanks as null, one row per vehicle per day."
        ),
        columns=(
            Column("stock_id", "VARCHAR", "The vehicle's identifier."),
            Column("snapshot_date", "DATE", "The night of the feed."),
            Column("customer_id", "VARCHAR", "The retailer holding the vehicle."),
            *VEHICLE,
        ),
        lineage=("raw.stock_feed",),
        file_format="parquet",
    ),
    Dataset(
        zone="refined",
        name="advert",
        kind="snapshot",
        grain="one row per advert, as its latest delivery describes it",
        primary_key=("advert_id",),
        foreign_keys=(),
        owner=MARKETPLACE_TEAM,
        description=(
            "The latest state of every advert. The renamed upgrade is normalised: both "
            "Highlight and Spotlight become product_code 'spotlight', and the name on the "
            "advert's first delivery is kept in product_name_as_landed."
        ),
        columns=(
            Column("advert_id", "VARCHAR", "The advert's identifier."),
            Column("stock_id", "VARCHAR", "The vehicle it shows."),
            Column("customer_id", "VARCHAR", "The retailer selling the vehicle."),
            Column("product_code", "VARCHAR", "Stable code: standard, spotlight or featured."),
            Column(
                "product_name_as_landed",
                "VARCHAR",
                "The product's name on the advert's first delivery (Highlight before "
                "1 March 2024, Spotlight after).",
            ),
            Column("published_at", "TIMESTAMP", "When the page went live (UTC)."),
            Column("withdrawn_at", "TIMESTAMP", "When the page came down (UTC); null while live."),
            Column("first_loaded_on", "DATE", "The day its first record landed."),
            Column("last_loaded_on", "DATE", "The day its latest record landed."),
        ),
        lineage=("raw.adverts",),
        file_format="parquet",
    ),
    Dataset(
        zone="refined",
        name="price_change",
        kind="append_log",
        grain="one row per price change per delivery version (corrections kept)",
        primary_key=("advert_id", "changed_at", "ingested_at"),
        foreign_keys=(ForeignKey(("advert_id",), "refined.advert", ("advert_id",)),),
        owner=MARKETPLACE_TEAM,
        description=(
            "Every asking price an advert has had: the first price when it was "
            "published and a row for each change. Repeat deliveries are removed; "
            "corrections are kept, so the current price is the latest changed_at, "
            "then the latest ingested_at."
        ),
        columns=(
            Column("advert_id", "VARCHAR", "The advert whose price changed."),
            Column("price_gbp", PRICE, "The new asking price in pounds."),
            Column("changed_at", "TIMESTAMP", "When the retailer changed it (UTC)."),
            Column("ingested_at", "TIMESTAMP", "When we received it (UTC)."),
            LOAD_DATE,
        ),
        lineage=("raw.price_changes",),
        file_format="parquet",
    ),
    Dataset(
        zone="refined",
        name="response",
        kind="append_log",
        grain="one row per response (each response_id once), bots included and flagged",
        primary_key=("response_id",),
        foreign_keys=(),
        owner=BUYER_TEAM,
        description=(
            "Each enquiry once, the first delivery kept. Placeholder advert ids become "
            "null; orphans are kept. received_at is parsed to UTC (null when it cannot "
            "be). Buyers are pseudonymised as buyer_key; names, emails, phones and "
            "messages are dropped."
        ),
        columns=(
            Column("response_id", "VARCHAR", "The enquiry's identifier."),
            Column("advert_id", "VARCHAR", "The advert asked about; null when not given."),
            Column("channel", "VARCHAR", "email, phone or chat."),
            Column("received_at", "TIMESTAMP", "When it arrived (UTC); null when unparseable."),
            Column("received_at_as_landed", "VARCHAR", "received_at exactly as raw held it."),
            Column(
                "buyer_key",
                "VARCHAR",
                "A salted hash of the buyer's email or phone: the same buyer always "
                "gets the same key, but the key does not reveal who they are.",
            ),
            Column("user_agent", "VARCHAR", "The program that submitted the form."),
            IS_BOT,
            BOT_REASON,
            LOAD_DATE,
        ),
        lineage=("raw.responses",),
        file_format="parquet",
    ),
    Dataset(
        zone="refined",
        name="page_view",
        kind="event_stream",
        grain="one row per page load, bots included and flagged",
        primary_key=("event_id",),
        foreign_keys=(ForeignKey(("advert_id",), "refined.advert", ("advert_id",)),),
        owner=BUYER_TEAM,
        description=(
            "Each page-load event once, with a proper timestamp and an event_date to "
            "filter on. Cookies become a pseudonymous visitor_id and IP addresses are "
            "dropped. Crawlers and scrapers are flagged with is_bot."
        ),
        columns=(
            Column("event_id", "VARCHAR", "The event's identifier."),
            Column("event_time", "TIMESTAMP", "When the page loaded (UTC)."),
            Column("event_date", "DATE", "The UTC day of event_time; filter on it first."),
            Column("visitor_id", "VARCHAR", "A salted hash of the tracking cookie."),
            Column("advert_id", "VARCHAR", "The advert shown; null for other pages."),
            Column("page_type", "VARCHAR", "advert, search or home."),
            Column("referrer", "VARCHAR", "Where the visit came from; null after its first page."),
            Column("user_agent", "VARCHAR", "The browser or crawler."),
            IS_BOT,
            BOT_REASON,
            LOAD_DATE,
        ),
        lineage=("raw.page_views",),
        file_format="parquet",
    ),
)

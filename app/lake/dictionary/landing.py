"""Transient and raw: data as it was delivered, text for every column (schema-on-read)."""

from __future__ import annotations

from app.lake.dictionary.entries import Column, Dataset

PLATFORM_TEAM = "Data platform team"
TEXT = "VARCHAR"

LOAD_DATE = Column(
    "load_date",
    "DATE",
    "The day the file landed, taken from its folder name (load_date=YYYY-MM-DD).",
)

RESPONSE_FIELDS = (
    Column("response_id", TEXT, "The enquiry system's identifier; a retried delivery repeats it."),
    Column(
        "advert_id",
        TEXT,
        "The advert the buyer asked about, as sent: may be missing, a placeholder "
        "('', 'N/A', 'unknown', '0') or an advert that never reached us.",
    ),
    Column("channel", TEXT, "How the buyer got in touch: email, phone or chat."),
    Column(
        "received_at",
        TEXT,
        "When the enquiry arrived, in whatever format the sender used: ISO UTC, "
        "UK local dd/mm/yyyy hh:mm, epoch seconds, or occasionally rubbish.",
    ),
    Column("buyer_name", TEXT, "The name the buyer typed.", restricted=True),
    Column("buyer_email", TEXT, "The buyer's email address.", restricted=True),
    Column("buyer_phone", TEXT, "The buyer's phone number.", restricted=True),
    Column(
        "message",
        TEXT,
        "The buyer's free-text message; often contains names and phone numbers.",
        restricted=True,
    ),
    Column("user_agent", TEXT, "The browser or program that submitted the form (none for calls)."),
)

PAGE_VIEW_FIELDS = (
    Column("event_id", TEXT, "The tracker's identifier for the page load."),
    Column(
        "cookie_id",
        TEXT,
        "The tracking cookie of the browser: an online identifier of a person.",
        personal=True,
    ),
    Column("advert_id", TEXT, "The advert shown, for advert pages; empty for other pages."),
    Column("page_type", TEXT, "advert, search or home."),
    Column("event_time", TEXT, "When the page loaded, ISO 8601 in UTC with milliseconds."),
    Column("user_agent", TEXT, "The browser or crawler that loaded the page."),
    Column("ip_address", TEXT, "The visitor's IP address.", restricted=True),
    Column("referrer", TEXT, "Where the visitor came from, for the first page of a visit."),
)

STOCK_FEED_FIELDS = (
    Column("stock_id", TEXT, "The vehicle's identifier in the retailer's stock system."),
    Column("customer_id", TEXT, "The retailer (customer) holding the vehicle."),
    Column("make", TEXT, "Manufacturer, e.g. Ford."),
    Column("model", TEXT, "Model, e.g. Focus."),
    Column("year", TEXT, "Year of first registration."),
    Column("mileage", TEXT, "Odometer reading in miles."),
    Column("fuel_type", TEXT, "Petrol, Diesel, Hybrid or Electric."),
    Column("body_type", TEXT, "Hatchback, Saloon, Estate, SUV, ..."),
    Column("colour", TEXT, "Paint colour."),
    Column(
        "price",
        TEXT,
        "Asking price as the retailer's system writes it: '12995', '£12,995', "
        "blank or 'POA' (price on application).",
    ),
    Column("arrived_on", TEXT, "The day the vehicle arrived on the forecourt (YYYY-MM-DD)."),
)

TRANSIENT = (
    Dataset(
        zone="transient",
        name="response_drop",
        kind="append_log",
        grain="one row per enquiry delivery in a drop waiting to be landed",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "Batches of buyer enquiries pushed by the enquiry system as JSON lines, "
            "exactly as delivered. Files leave here once landed in raw.responses, so "
            "only the latest, not yet landed drop is present."
        ),
        columns=RESPONSE_FIELDS,
        lineage=(),
        file_format="json",
    ),
    Dataset(
        zone="transient",
        name="page_view_batch",
        kind="event_stream",
        grain="one row per page-load event in a batch waiting to be landed",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "Page-load events from the site's tracker, batched per day as JSON lines. "
            "Only the batch not yet landed in raw.page_views is here."
        ),
        columns=PAGE_VIEW_FIELDS,
        lineage=(),
        file_format="json",
    ),
    Dataset(
        zone="transient",
        name="stock_feed",
        kind="snapshot",
        grain="one row per vehicle in stock in a nightly feed file waiting to be landed",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "The nightly CSV feed of every vehicle each retailer holds, sent by their "
            "stock systems. Only tonight's file, not yet landed in raw.stock_feed, is here."
        ),
        columns=STOCK_FEED_FIELDS,
        lineage=(),
        file_format="csv",
    ),
)

RAW = (
    Dataset(
        zone="raw",
        name="customers",
        kind="snapshot",
        grain="one row per customer per monthly CRM extract",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "Monthly extracts of retailer accounts from the CRM, as CSV. Status is "
            "written in several cases and names can carry stray spaces; contact "
            "details are personal data and stay here."
        ),
        columns=(
            Column("customer_id", TEXT, "The retailer's account identifier, e.g. C10042."),
            Column("customer_name", TEXT, "The trading name of the site."),
            Column("group_id", TEXT, "The retail group that owns several sites; blank if none."),
            Column("region", TEXT, "The UK region the site trades in."),
            Column("status", TEXT, "Active or lapsed, in whatever case the CRM used."),
            Column("joined_on", TEXT, "The day the account opened (YYYY-MM-DD)."),
            Column("package", TEXT, "The subscription package: Starter, Standard or Premium."),
            Column(
                "advert_allowance",
                TEXT,
                "How many vehicles the package lets the retailer advertise at once "
                "(an allowance, not a count of adverts).",
            ),
            Column("contact_name", TEXT, "The retailer's main contact.", restricted=True),
            Column("contact_email", TEXT, "The main contact's email.", restricted=True),
            Column("contact_phone", TEXT, "The main contact's phone number.", restricted=True),
            LOAD_DATE,
        ),
        lineage=(),
        file_format="csv",
    ),
    Dataset(
        zone="raw",
        name="stock_feed",
        kind="snapshot",
        grain="one row per vehicle per nightly feed, as delivered",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "Every nightly stock feed ever landed, unchanged: the files from "
            "transient.stock_feed, filed by load date. Some rows have no usable price."
        ),
        columns=(*STOCK_FEED_FIELDS, LOAD_DATE),
        lineage=("transient.stock_feed",),
        file_format="csv",
    ),
    Dataset(
        zone="raw",
        name="adverts",
        kind="append_log",
        grain="one row per advert record delivered (publication or withdrawal)",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "The advertising system's record of each advert, delivered when it is "
            "published and again when it is withdrawn; retried deliveries repeat rows. "
            "product is the upgrade's name on the day of delivery, so the upgrade sold "
            "as Highlight appears as Spotlight from 1 March 2024."
        ),
        columns=(
            Column("advert_id", TEXT, "The advert's identifier, e.g. A2000123."),
            Column("stock_id", TEXT, "The vehicle the advert shows."),
            Column("customer_id", TEXT, "The retailer selling the vehicle."),
            Column("product", TEXT, "The advert's product as named that day: Standard, ..."),
            Column("status", TEXT, "live or withdrawn."),
            Column("published_at", TEXT, "When the page went live (ISO 8601, UTC)."),
            Column("withdrawn_at", TEXT, "When the page came down (ISO 8601, UTC); null if live."),
            LOAD_DATE,
        ),
        lineage=(),
        file_format="json",
    ),
    Dataset(
        zone="raw",
        name="price_changes",
        kind="append_log",
        grain="one row per price change delivered, including retries and corrections",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "Each advert's asking price when it is published and every time the "
            "retailer changes it. A mistyped price is corrected by a later row with the "
            "same changed_at and a later ingested_at."
        ),
        columns=(
            Column("advert_id", TEXT, "The advert whose price changed."),
            Column("price", TEXT, "The new asking price, '12995' or '£12,995'."),
            Column("changed_at", TEXT, "When the retailer changed it (ISO 8601, UTC)."),
            Column("ingested_at", TEXT, "When we received the change (ISO 8601, UTC)."),
            LOAD_DATE,
        ),
        lineage=(),
        file_format="json",
    ),
    Dataset(
        zone="raw",
        name="responses",
        kind="append_log",
        grain="one row per enquiry delivery, including repeat deliveries and bots",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "Every buyer enquiry that landed, unchanged: the drops from "
            "transient.response_drop filed by load date. Expect duplicates, missing "
            "and orphan advert ids, unparseable timestamps and automated form-fillers."
        ),
        columns=(*RESPONSE_FIELDS, LOAD_DATE),
        lineage=("transient.response_drop",),
        file_format="json",
    ),
    Dataset(
        zone="raw",
        name="page_views",
        kind="event_stream",
        grain="one row per page-load event delivered",
        primary_key=(),
        foreign_keys=(),
        owner=PLATFORM_TEAM,
        description=(
            "Every page-load event that landed, unchanged: the batches from "
            "transient.page_view_batch filed by load date. Crawlers and scrapers are "
            "mixed in with people; late events land the next day."
        ),
        columns=(*PAGE_VIEW_FIELDS, LOAD_DATE),
        lineage=("transient.page_view_batch",),
        file_format="json",
    ),
)

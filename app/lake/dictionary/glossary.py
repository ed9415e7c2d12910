"""The words of the business and of the platform, each defined once."""

from __future__ import annotations

from app.lake.dictionary.entries import Term

GLOSSARY: tuple[Term, ...] = (
    # The business's words.
    Term(
        "Customer",
        "A retailer's trading site that sells vehicles on the marketplace. Buyers are never "
        "customers. A group owning several forecourts is several customers sharing a group_id.",
        ("Buyer", "Stock"),
        ("trusted.customer",),
    ),
    Term(
        "Stock",
        "A vehicle a customer has available to sell, whether or not it is advertised: a car "
        "waiting for photos is stock. trusted.stock records it once per day it is held.",
        ("Advert", "Snapshot"),
        ("trusted.stock",),
    ),
    Term(
        "Advert",
        "A page on the site showing one stock item to buyers. Not a paid slot, a banner or "
        "a package allowance. One vehicle can have several adverts (relisted) or none.",
        ("Stock", "Allowance", "Product"),
        ("trusted.advert",),
    ),
    Term(
        "Response",
        "An enquiry from a buyer to a retailer about an advert, by email, phone or chat. "
        "trusted.response counts only responses not flagged as bots, each once; "
        "refined.response keeps both, with is_bot; raw.responses holds every delivery.",
        ("Bot-filtered", "Buyer"),
        ("trusted.response", "refined.response", "raw.responses"),
    ),
    Term(
        "Page view",
        "One load of a page on the site by a visitor or a crawler. A page view is not a "
        "response, and a run of page views by one visitor is a session.",
        ("Event stream", "Session", "Visitor"),
        ("refined.page_view",),
    ),
    Term(
        "Buyer",
        "A person looking for a vehicle who contacts a retailer. In refined and trusted a "
        "buyer appears only as a pseudonymous buyer_key.",
        ("Customer", "Pseudonymisation"),
        ("trusted.response",),
    ),
    Term(
        "Visitor",
        "A browser on the site, known only by its tracking cookie; refined.page_view holds "
        "a salted hash of it as visitor_id.",
        ("Page view", "Pseudonymisation"),
        ("refined.page_view",),
    ),
    Term(
        "Session",
        "A run of page views by one visitor with no gap longer than 30 minutes.",
        ("Page view",),
        ("refined.page_view",),
    ),
    Term(
        "Product",
        "Something a retailer buys to put on an advert (Standard, Spotlight, Featured). "
        "Known by a stable product_code: the upgrade renamed from Highlight to Spotlight on "
        "1 March 2024 is one product, 'spotlight'.",
        ("Advert",),
        ("trusted.product", "refined.advert", "raw.adverts"),
    ),
    Term(
        "Allowance",
        "How many vehicles a customer's package lets them advertise at once. Sales "
        "colleagues sometimes call it 'adverts'; in the lake it is advert_allowance.",
        ("Advert", "Customer"),
        ("trusted.customer",),
    ),
    # How data is filtered and protected.
    Term(
        "Bot-filtered",
        "With automated traffic (crawlers, scrapers, form-filling scripts) left out. A "
        "figure should always say whether it is bot-filtered; trusted figures are.",
        ("Response", "Refined"),
        ("trusted.response", "refined.response", "refined.page_view"),
    ),
    Term(
        "Sensitive data",
        "Personal data such as names, emails, phone numbers, IP addresses, cookies and "
        "free-text messages. It stays in raw and transient; refined and trusted drop it or "
        "pseudonymise it.",
        ("Pseudonymisation",),
        ("raw.responses", "raw.page_views", "raw.customers"),
    ),
    Term(
        "Pseudonymisation",
        "Replacing an identifier with a salted hash, so rows about the same person can "
        "still be linked without revealing who they are (buyer_key, visitor_id).",
        ("Sensitive data",),
        ("refined.response", "refined.page_view"),
    ),
    Term(
        "Deduplication",
        "Keeping one row per key when the same record arrived more than once, usually "
        "the first one loaded.",
        ("Primary key", "Raw"),
        ("refined.response",),
    ),
    Term(
        "Orphan",
        "A foreign key value with no matching primary key, such as a response whose "
        "advert_id is in no advert dataset. Raw and refined keep orphans; trusted leaves "
        "them out.",
        ("Foreign key",),
        ("refined.response",),
    ),
    Term(
        "Load date",
        "The day a row landed in the lake, as opposed to the day the thing happened. Late "
        "data lands after the day it describes.",
        ("Raw",),
        ("raw.responses",),
    ),
    # How datasets record the world.
    Term(
        "Snapshot",
        "A dataset holding the state of things as captured at a moment. Some keep every "
        "capture with a snapshot_date (trusted.stock); some only the latest "
        "(trusted.customer). Pick one capture before counting.",
        ("Append log", "Event stream"),
        ("trusted.stock", "trusted.customer"),
    ),
    Term(
        "Append log",
        "A dataset where each change adds a row and nothing is updated in place, so the "
        "full history is kept. The current version of a record is its latest row.",
        ("Snapshot", "Event stream"),
        ("refined.price_change", "trusted.response"),
    ),
    Term(
        "Event stream",
        "A high-volume dataset of things that happened at a moment, each row with a "
        "timestamp and no current state to look up. Filter on the event date first.",
        ("Snapshot", "Append log", "Page view"),
        ("refined.page_view",),
    ),
    Term(
        "Grain",
        "What one row of a dataset represents, such as 'one row per vehicle per day'. "
        "After a join the result has the finer grain of the two sides.",
        ("Primary key", "Fan-out"),
        ("trusted.stock",),
    ),
    Term(
        "Primary key",
        "The column or columns that identify exactly one row at a dataset's grain: never "
        "null, never repeated. trusted.stock's is stock_id with snapshot_date.",
        ("Foreign key", "Grain"),
        ("trusted.stock", "trusted.advert"),
    ),
    Term(
        "Foreign key",
        "A column holding another dataset's key, which is how datasets point at each "
        "other: trusted.advert.stock_id points at trusted.stock.",
        ("Primary key", "Orphan"),
        ("trusted.advert", "trusted.response"),
    ),
    Term(
        "Fan-out",
        "Rows multiplying in a join when one row on one side matches many on the other, "
        "so sums and counts come out too big. Aggregate to the grain you need first.",
        ("Grain",),
        ("trusted.stock",),
    ),
    Term(
        "Lineage",
        "Which datasets a dataset is made from, and which are made from it, back to where "
        "the data landed. In the lake, refined and trusted are built from raw by SQL.",
        ("Raw", "Trusted"),
        ("trusted.response",),
    ),
    Term(
        "Schema-on-read",
        "Storing files as they arrive and applying column names and types only when they "
        "are read. Raw exposes every column as text; refined has applied the types.",
        ("Raw",),
        ("raw.responses",),
    ),
    # The zones.
    Term(
        "Zone",
        "One of the five areas of the lake (transient, raw, refined, user, trusted); data "
        "flows through them becoming cleaner and more business-shaped.",
        ("Transient", "Raw", "Refined", "User", "Trusted"),
    ),
    Term(
        "Transient",
        "The zone where deliveries land and wait to be picked up. Nothing is promised "
        "there and nobody queries it.",
        ("Zone", "Raw"),
        ("transient.response_drop",),
    ),
    Term(
        "Raw",
        "The zone holding a permanent, uncorrected copy of everything that landed, filed "
        "by load date and read with schema-on-read. Dirty on purpose.",
        ("Zone", "Schema-on-read", "Refined"),
        ("raw.responses",),
    ),
    Term(
        "Refined",
        "The zone of cleaned, typed, deduplicated data with bots flagged and personal "
        "data removed, still shaped like the source systems.",
        ("Zone", "Raw", "Trusted"),
        ("refined.response",),
    ),
    Term(
        "User",
        "The only zone staff can write to: personal and team scratch tables.",
        ("Zone",),
    ),
    Term(
        "Trusted",
        "The zone of published datasets in the business's language with exact "
        "definitions, keys that hold and a named owner.",
        ("Zone", "Refined"),
        ("trusted.customer", "trusted.stock", "trusted.advert", "trusted.response"),
    ),
)

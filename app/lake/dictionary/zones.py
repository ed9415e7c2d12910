"""The five zones, in the order data flows through them."""

from __future__ import annotations

from app.lake.dictionary.entries import Zone

ZONES: tuple[Zone, ...] = (
    Zone(
        "transient",
        "Transient",
        "The landing bay. Files arrive here exactly as a source sent them and wait to be "
        "picked up; once landed in raw they are removed. Nothing here is promised and "
        "nobody queries it except the landing pipelines.",
        False,
    ),
    Zone(
        "raw",
        "Raw",
        "A permanent, untouched copy of everything that landed, filed by load date. "
        "Every column is text until you read it (schema-on-read), and the dirt is kept: "
        "repeat deliveries, placeholders, broken timestamps, orphans and bots. Because "
        "raw is never corrected, every later zone can be rebuilt from it.",
        False,
    ),
    Zone(
        "refined",
        "Refined",
        "The same facts, cleaned by pipelines: proper types, one row per key, real NULLs "
        "instead of placeholders, timestamps in UTC, bots flagged with is_bot rather "
        "than removed and personal data dropped or pseudonymised. Its shape still "
        "follows the source systems.",
        False,
    ),
    Zone(
        "user",
        "User",
        "Scratch space for people: the only zone staff can write to, with an area per "
        "person and per team. Good for intermediate results and model outputs; nothing "
        "important should be built on it, and no datasets are shipped in it.",
        True,
    ),
    Zone(
        "trusted",
        "Trusted",
        "The published face of the lake: datasets named in the business's own words, "
        "independent of the source systems, each with an exact definition, grain, keys "
        "and owner. Keys are unique and every foreign key resolves. Numbers for "
        "retailers and leadership come from here.",
        False,
    ),
)

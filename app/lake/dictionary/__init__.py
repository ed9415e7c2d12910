"""The data dictionary: the single place every dataset's metadata lives.

Web pages, exercises, the build and ``lake check`` all read it from here, so a
definition changed here changes everywhere. The data is split by zone only to
keep files short.
"""

from __future__ import annotations

import re

from app.lake.dictionary.entries import (
    FILE_FORMATS,
    KINDS,
    MASK,
    Column,
    Dataset,
    ForeignKey,
    Term,
    Zone,
)
from app.lake.dictionary.glossary import GLOSSARY
from app.lake.dictionary.landing import RAW, TRANSIENT
from app.lake.dictionary.refined import REFINED
from app.lake.dictionary.trusted import TRUSTED
from app.lake.dictionary.zones import ZONES

__all__ = [
    "MASK",
    "DATASETS",
    "FILE_FORMATS",
    "GLOSSARY",
    "KINDS",
    "ZONES",
    "Column",
    "Dataset",
    "ForeignKey",
    "Term",
    "Zone",
    "by_zone",
    "dataset",
    "restricted_datasets",
    "term",
]

DATASETS: tuple[Dataset, ...] = TRANSIENT + RAW + REFINED + TRUSTED

_BY_NAME = {ds.qualified_name: ds for ds in DATASETS}


def dataset(qualified_name: str) -> Dataset | None:
    """The dataset called ``zone.name``, or None."""
    return _BY_NAME.get(qualified_name)


def restricted_datasets() -> list[Dataset]:
    """The datasets holding restricted columns (personal data), in flow order."""
    return [ds for ds in DATASETS if ds.restricted_columns]


def by_zone() -> dict[str, list[Dataset]]:
    """Every zone, in flow order, with its datasets (the user zone's list is empty)."""
    grouped: dict[str, list[Dataset]] = {zone.name: [] for zone in ZONES}
    for ds in DATASETS:
        grouped[ds.zone].append(ds)
    return grouped


def _term_key(name: str) -> str:
    """A term's name folded so spelling variants match."""
    # "Append-log", "append log" and "APPEND_LOG" all mean the same term.
    return re.sub(r"[\s_-]+", " ", name.strip().lower())


_TERMS = {_term_key(t.name): t for t in GLOSSARY}


def term(name: str) -> Term | None:
    """The glossary term called ``name``, ignoring case and hyphens; None if undefined."""
    return _TERMS.get(_term_key(name))

"""The kinds of entry in the data dictionary: zones, datasets, columns, keys and glossary terms."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds every dataset is one of; DM202 teaches how each is queried.
# What a restricted column holds wherever a learner can read it without a grant.
MASK = "[restricted]"
KINDS = ("snapshot", "append_log", "event_stream")
FILE_FORMATS = ("json", "csv", "parquet")


@dataclass(frozen=True)
class Zone:
    """One of the lake's five zones, in the order data flows through them."""

    name: str
    title: str
    description: str
    writable_by_learners: bool


@dataclass(frozen=True)
class Column:
    """One column of a dataset as its view exposes it."""

    name: str
    type: str  # DuckDB type name as exposed, e.g. "VARCHAR", "DECIMAL(10,2)"
    description: str
    # Personal data in the restricted tier: masked in the lake learners' sandboxes
    # mount, readable whole only with an admin's grant. Only ever True in raw/transient.
    restricted: bool = False
    # Personal data that is not masked (a pseudonymous identifier such as a cookie):
    # it too must never leave raw and transient.
    personal: bool = False

    @property
    def is_personal(self) -> bool:
        """Personal data, restricted or not: kept out of refined and trusted."""
        return self.restricted or self.personal


@dataclass(frozen=True)
class ForeignKey:
    """Columns of one dataset whose values must exist in columns of another."""

    columns: tuple[str, ...]
    references: str  # "zone.dataset"
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    """Everything the dictionary promises about one dataset."""

    zone: str
    name: str
    kind: str
    grain: str
    primary_key: tuple[str, ...]  # () where the zone promises none (raw, transient)
    foreign_keys: tuple[ForeignKey, ...]
    owner: str
    description: str
    columns: tuple[Column, ...]
    lineage: tuple[str, ...]  # upstream "zone.dataset" names; () for sources
    file_format: str

    @property
    def qualified_name(self) -> str:
        """The name SQL uses for it: ``zone.dataset``."""
        return f"{self.zone}.{self.name}"

    @property
    def restricted_columns(self) -> tuple[str, ...]:
        """The names of its restricted columns (personal data), in column order."""
        return tuple(c.name for c in self.columns if c.restricted)

    def column(self, name: str) -> Column | None:
        """The column called ``name``, or None."""
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Term:
    """A word the business or the data platform uses, defined once."""

    name: str
    definition: str
    see_also: tuple[str, ...] = ()  # other term names
    datasets: tuple[str, ...] = ()  # qualified dataset names that show the idea

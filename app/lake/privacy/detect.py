"""Which restricted columns a submission reads, found by DuckDB's own parser (pure).

Used for a granted learner's playground submissions: each query that reads a
restricted column is audited, and a statement that would copy restricted data
elsewhere (into the learner's persistent ``user`` zone, which their ungranted
notebooks mount) is refused. It errs towards reading too much: ``*``,
``COLUMNS(...)``, a whole row (``SELECT r FROM raw.responses r``) or any name
it cannot place counts as reading every restricted column of the tables read,
and a table the dictionary does not know (a view in the learner's ``user``
zone may be defined over raw) as reading every restricted column there is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from app.lake.dictionary import DATASETS, Dataset, restricted_datasets
from app.lake.playground.statements.tree import Unparsed, on_parser, serialize

# Statements that show data or its plan and write nothing.
QUERY_TYPES = {"SELECT", "EXPLAIN"}
_KNOWN_COLUMNS = {c.name for ds in DATASETS for c in ds.columns}


@dataclass(frozen=True)
class RestrictedReads:
    """What a submission reads of the restricted tier."""

    columns: tuple[str, ...] = ()  # "raw.responses.buyer_email", sorted
    copies: bool = False  # a statement other than a query touches a restricted dataset

    @property
    def any(self) -> bool:
        """True if the submission reads or copies restricted data."""
        return bool(self.columns) or self.copies


def restricted_reads(sql: str) -> RestrictedReads:
    """The restricted columns ``sql`` reads, and whether it would copy any of them."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:
        return _by_mention(sql, copies=False)  # the playground reports the error itself
    columns: set[str] = set()
    copies = False
    for statement in statements:
        kind = statement.type.name
        if kind not in QUERY_TYPES:
            mentioned = _by_mention(statement.query, copies=True)
            copies = copies or mentioned.copies
            columns.update(mentioned.columns)
        else:
            columns.update(_query_columns(statement.query))
    return RestrictedReads(tuple(sorted(columns)), copies)


def _mentioned(sql: str) -> list[Dataset]:
    """Restricted datasets whose name appears as a word in ``sql`` (case-insensitive)."""
    return [
        ds
        for ds in restricted_datasets()
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(ds.name)}(?![A-Za-z0-9_])", sql, re.I)
    ]


def _all_of(datasets: list[Dataset]) -> set[str]:
    return {f"{ds.qualified_name}.{name}" for ds in datasets for name in ds.restricted_columns}


def _by_mention(sql: str, *, copies: bool) -> RestrictedReads:
    """Fail closed where the tree cannot be read: every restricted column of every mention."""
    found = _mentioned(sql)
    return RestrictedReads(tuple(sorted(_all_of(found))), copies and bool(found))


def _query_columns(sql: str) -> set[str]:
    """The restricted columns one query reads, from its serialized parse tree."""
    text = re.sub(r"^\s*explain(\s+analyze)?\s", "", sql, flags=re.I)
    try:
        statements = on_parser(None, lambda parser: serialize(parser, text))
    except Unparsed:
        return set(_by_mention(sql, copies=False).columns)
    tables, names, aliases, whole = _walk({"statements": statements})
    if any(not any(_is(ds, t) for ds in DATASETS) and t[1].lower() not in aliases for t in tables):
        return _all_of(restricted_datasets())
    read = [ds for ds in restricted_datasets() if any(_is(ds, t) for t in tables)]
    if not read:
        return set()
    unplaced = {n for n in names if n not in _KNOWN_COLUMNS and n not in aliases}
    if whole or unplaced:
        return _all_of(read)
    return {f"{ds.qualified_name}.{n}" for ds in read for n in ds.restricted_columns if n in names}


def _is(ds: Dataset, table: tuple[str, str]) -> bool:
    schema, name = table
    return name.lower() == ds.name and schema.lower() in ("", ds.zone)


def _walk(tree: Any) -> tuple[set[tuple[str, str]], set[str], set[str], bool]:
    """Tables read, column names referenced, aliases defined, and whether a star appears."""
    tables: set[tuple[str, str]] = set()
    names: set[str] = set()
    aliases: set[str] = set()
    whole = False
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if node.get("type") == "BASE_TABLE":
            tables.add((node.get("schema_name") or "", node.get("table_name") or ""))
        if node.get("class") == "COLUMN_REF":
            names.add(str(node["column_names"][-1]).lower())
        if node.get("class") == "STAR":
            whole = True
        if node.get("alias") and node.get("type") != "BASE_TABLE":
            aliases.add(str(node["alias"]).lower())
        if isinstance(node.get("cte_map"), dict):  # a CTE's name is read like a table's
            aliases.update(str(e.get("key", "")).lower() for e in node["cte_map"].get("map", []))
        stack.extend(node.values())
    return tables, names, aliases, whole

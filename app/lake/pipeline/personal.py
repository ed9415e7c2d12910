"""The privacy checks of ``lake check``: personal data stays in raw and transient, masked.

Three promises: no personal column (nor anything like an e-mail address)
reaches refined or trusted; in the lake that sandboxes mount, every restricted
column reads ``[restricted]`` and no file holds an e-mail address at all; and
the build's restricted folder holds the files the build wrote there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb

from app.lake.dictionary import DATASETS, MASK, Dataset, restricted_datasets
from app.lake.pipeline.database import quoted
from app.lake.pipeline.failure import Failure
from app.lake.pipeline.files import DATABASE, data_files
from app.lake.pipeline.manifest import Manifest
from app.lake.pipeline.restrict import dataset_files

PUBLISHED = ("refined", "trusted")  # the zones that promise keys and carry no personal data
EMAIL_LIKE = r"[^@\s]+@[^@\s]+\.[a-z]{2,}"
# In a file's bytes: tighter than EMAIL_LIKE, which would match across JSON punctuation.
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def check_privacy(con: duckdb.DuckDBPyConnection, datasets: Iterable[Dataset]) -> list[Failure]:
    """No personal column, and nothing that looks like an email address, beyond raw."""
    personal = {c.name for ds in DATASETS for c in ds.columns if c.is_personal}
    failures = []
    for ds in datasets:
        if ds.zone not in PUBLISHED:
            continue
        described = con.execute(f"DESCRIBE {quoted(ds.qualified_name)}").fetchall()
        leaked = sorted(personal & {row[0] for row in described})
        if leaked:
            failures.append(Failure(ds.qualified_name, f"exposes personal data: {leaked}"))
        for name in (row[0] for row in described if row[1] == "VARCHAR"):
            hits = con.execute(
                f"SELECT count(*) FROM {quoted(ds.qualified_name)} "
                f"WHERE regexp_matches({name}, '{EMAIL_LIKE}')"
            ).fetchone()[0]
            if hits:
                failures.append(Failure(ds.qualified_name, f"{name} holds {hits} email addresses"))
    return failures


def check_masked(con: duckdb.DuckDBPyConnection, lake: Path) -> list[Failure]:
    """Restricted columns read [restricted] in the lake sandboxes mount; no file holds an e-mail.

    The view check covers every row a query can see; the byte scan covers what
    Python in a kernel can see, such as a key the views do not read.
    """
    failures = []
    for ds in restricted_datasets():
        for name in ds.restricted_columns:
            plain = con.execute(
                f"SELECT count(*) FROM {quoted(ds.qualified_name)} WHERE \"{name}\" NOT IN (?, '')",
                [MASK],
            ).fetchone()[0]
            if plain:
                failures.append(Failure(ds.qualified_name, f"{name} shows {plain} unmasked values"))
        for path in dataset_files(lake, ds):
            if _EMAIL_IN_TEXT.search(path.read_text(encoding="utf-8", errors="replace")):
                relative = path.relative_to(lake).as_posix()
                failures.append(Failure(relative, "holds an e-mail address in plain text"))
    return failures


def check_agreement(con: duckdb.DuckDBPyConnection, lake: Path) -> list[Failure]:
    """Masked and real files hold the same rows but for the restricted columns.

    ``con`` is open on the restricted folder; the dirt is counted there, so a row
    added to or dropped from only the masked copy must be caught here.
    """
    literal = str(lake.resolve() / DATABASE).replace("'", "''")
    con.execute(f"ATTACH '{literal}' AS masked (READ_ONLY)")
    failures = []
    try:
        for ds in restricted_datasets():
            kept = ", ".join(f'"{c.name}"' for c in ds.columns if not c.restricted)
            real = f"SELECT {kept} FROM {quoted(ds.qualified_name)}"
            shown = f"SELECT {kept} FROM masked.{quoted(ds.qualified_name)}"
            differ = con.execute(
                f"SELECT (SELECT count(*) FROM ({real} EXCEPT ALL {shown})) "
                f"+ (SELECT count(*) FROM ({shown} EXCEPT ALL {real}))"
            ).fetchone()[0]
            if differ:
                failures.append(
                    Failure(ds.qualified_name, f"masked and real files differ in {differ} rows")
                )
    finally:
        con.execute("DETACH masked")
    return failures


def check_restricted_files(folder: Path, manifest: Manifest) -> list[Failure]:
    """The build's restricted folder is there and holds exactly the files the build wrote."""
    if not (folder / DATABASE).is_file():
        return [Failure("restricted", f"the restricted folder {folder} is missing")]
    found = data_files(folder)
    failures = [
        Failure(f"restricted/{path}", "is missing or changed")
        for path, digest in manifest.restricted_files.items()
        if found.get(path) != digest
    ]
    failures += [
        Failure(f"restricted/{path}", "was not written by the build")
        for path in found
        if path not in manifest.restricted_files
    ]
    if not manifest.restricted_files:
        failures.append(Failure("restricted", "the manifest lists no restricted files"))
    return failures

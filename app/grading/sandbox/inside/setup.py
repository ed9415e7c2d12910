"""Runs INSIDE the learner's kernel, first: open ``lake``, a locked DuckDB on the sample lake.

Sent to the kernel as text (the app is not importable there); it imports only
duckdb and the standard library. The arrangement copies the SQL playground's
(``app.lake.playground.sandbox``): an in-memory database with the lake attached
read-only as ``lake`` and the learner's scratch file as ``user``, ``user`` the
default catalog and the lake's zones on the search path, so ``raw.responses``,
``trusted.stock`` and ``user.my_table`` all work. Then external access is
switched off except reading the lake's zone folders, and the configuration is
locked so no query can undo it.

The lake's views name their files by the absolute host path of the build
folder, so wherever ``ACADEMY_LAKE`` points (``/lake`` in the sandbox), the
sandbox must also show the build folder at its host path; those folders are
read from the views and allowed as well. A probe query fails loudly here, in
set-up, rather than in the learner's first cell, when they are not visible.
"""

from __future__ import annotations

import os
import re

import duckdb

LAKE_FILE = "lake.duckdb"
SCRATCH_FILE = "user.duckdb"
ZONES = ("transient", "raw", "refined", "trusted")


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def startup_config(memory_limit: str) -> dict:
    """Settings fixed before anything is attached: no extensions, no spilling to disk."""
    return {
        "memory_limit": memory_limit,
        "threads": 2,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "allow_persistent_secrets": False,
        "temp_directory": "",
    }


# A file path in a view's SQL, up to the last zone folder in it: the build folder.
_VIEW_PATH = re.compile(r"'(/[^']*)/(?:" + "|".join(ZONES) + r")/")


def view_bases(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The folders the lake's views read from, as their SQL names them (host paths)."""
    rows = con.execute(
        "SELECT sql FROM duckdb_views() WHERE database_name = 'lake' AND NOT internal"
    ).fetchall()
    return sorted({match.group(1) for (sql,) in rows for match in _VIEW_PATH.finditer(sql or "")})


def zone_folders(lake_dir: str, view_bases: list[str]) -> list[str]:
    """The lake's zone folders, wherever it is seen from, each ending in '/'.

    The trailing slash keeps ``/lake/raw/`` from also admitting ``/lake/raw2``.
    """
    bases = dict.fromkeys((lake_dir.rstrip("/"), os.path.realpath(lake_dir), *view_bases))
    return [f"{base}/{zone}/" for base in bases for zone in ZONES]


def _probe(con: duckdb.DuckDBPyConnection, lake_dir: str) -> None:
    """Read one view of the lake, so a lake mounted at the wrong path is reported at once."""
    found = con.execute(
        "SELECT schema_name, view_name FROM duckdb_views() "
        "WHERE database_name = 'lake' AND NOT internal ORDER BY ALL LIMIT 1"
    ).fetchone()
    if found is None:
        return
    try:
        con.execute(f'SELECT * FROM lake."{found[0]}"."{found[1]}" LIMIT 0').fetchall()
    except duckdb.Error as error:
        raise RuntimeError(
            f"the lake's files cannot be read at {lake_dir}: the sandbox must show the "
            f"lake's build folder at the same absolute path as the server ({error})"
        ) from None


def connect(lake_dir: str, scratch_dir: str, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """The learner's ``lake`` connection: the lake read-only, their scratch file writable."""
    con = duckdb.connect(":memory:", config=startup_config(memory_limit))
    try:
        con.execute(f"ATTACH {literal(os.path.join(lake_dir, LAKE_FILE))} AS lake (READ_ONLY)")
        con.execute(f'ATTACH {literal(os.path.join(scratch_dir, SCRATCH_FILE))} AS "user"')
        # USE user, not USE lake: the lake has an empty schema called user, and with the
        # lake as default catalog DuckDB would call user.x ambiguous.
        con.execute('USE "user"')
        search_path = ",".join(["user.main", *(f"lake.{zone}" for zone in ZONES)])
        con.execute(f"SET search_path = {literal(search_path)}")
        con.execute("SET TimeZone = 'UTC'")
        folders = zone_folders(lake_dir, view_bases(con))
        folders = ", ".join(literal(folder) for folder in folders)
        con.execute(f"SET allowed_directories = [{folders}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")  # last: nothing above can change now
        _probe(con, lake_dir)
    except BaseException:
        con.close()
        raise
    return con

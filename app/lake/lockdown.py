"""The one locked-down DuckDB connection to the lake, for the playground, the grader and kernels.

Every connection that runs SQL somebody else wrote is opened here: the SQL
playground's (with the learner's scratch file as ``user``), the grader's own
(lake only) and the one set up inside a learner's notebook kernel. This file
imports only duckdb and the standard library, because its text is also sent
into the kernel, where the app is not importable, and run there.

The arrangement: an in-memory database with the lake attached read-only as
``lake``. With a scratch file, it is attached as ``user`` and made the default
catalog. Why ``USE user`` and not ``USE lake``: the lake file has an (empty)
schema of its own called ``user``, and with the lake as default catalog DuckDB
reports ``user.x`` as ambiguous. With ``user`` the default, ``user.x`` is the
learner's table, unqualified ``CREATE TABLE x`` lands in their file, and the
lake's zones on the search path make ``raw.responses`` resolve to the lake.

Then the configuration is locked: no extensions, no secrets, no spilling to
disk, no external access except reading the lake's zone folders, a memory and
(where given) time limit, and ``lock_configuration`` last so that nothing
SET, RESET or PRAGMA can undo any of it. ``allowed_directories`` does not tell
reads from writes, so each caller adds an OS wall of its own against writes
(the playground's Landlock, the kernel's read-only bind mount).
"""

from __future__ import annotations

import os
import re

import duckdb

LAKE_FILE = "lake.duckdb"
KERNEL_SCRATCH_FILE = "user.duckdb"  # a kernel's scratch folder holds one learner's file
# The lake's zones whose views read files; the lake's own "user" zone is empty.
ZONES = ("transient", "raw", "refined", "trusted")


def literal(text: str) -> str:
    """A SQL string literal (paths come from settings, but quote them properly anyway)."""
    return "'" + text.replace("'", "''") + "'"


def startup_config(
    memory_limit: str, threads: int, *, errors_as_json: bool, replacement_scans: bool
) -> dict[str, object]:
    """Settings fixed when the in-memory database is created, before anything is attached."""
    return {
        "threads": threads,
        "memory_limit": memory_limit,
        "errors_as_json": errors_as_json,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "allow_extension_repositories": "forbidden",
        "allow_persistent_secrets": False,
        # No spilling: a query over the memory limit fails instead of filling the disk.
        "temp_directory": "",
        "max_temp_directory_size": "0B",
        "enable_external_file_cache": False,
        # Off where the connection lives in a trusted process (it would read that
        # process's Python variables); on in a learner's kernel, where the
        # variables are the learner's own DataFrames.
        "python_enable_replacements": replacement_scans,
    }


def zone_folders(lake_dir: str, other_bases: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The lake's zone folders, as configured, as resolved and at ``other_bases``, ending in '/'.

    The trailing slash keeps ``/lake/raw/`` from also admitting ``/lake/raw2``.
    """
    bases = dict.fromkeys((lake_dir.rstrip("/"), os.path.realpath(lake_dir), *other_bases))
    return [f"{base}/{zone}/" for base in bases for zone in ZONES]


# A file path in a view's SQL, up to the last zone folder in it: the build folder.
_VIEW_PATH = re.compile(r"'(/[^']*)/(?:" + "|".join(ZONES) + r")/")


def view_bases(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The folders the lake's views read from, as their SQL names them (host paths)."""
    rows = con.execute(
        "SELECT sql FROM duckdb_views() WHERE database_name = 'lake' AND NOT internal"
    ).fetchall()
    return sorted({match.group(1) for (sql,) in rows for match in _VIEW_PATH.finditer(sql or "")})


def connect_locked(
    lake_dir: str,
    *,
    memory_limit: str,
    threads: int = 2,
    scratch_file: str | None = None,
    time_limit_ms: int | None = None,
    errors_as_json: bool = False,
    replacement_scans: bool = False,
    follow_views: bool = False,
) -> duckdb.DuckDBPyConnection:
    """A fresh, locked connection: the lake read-only, and ``scratch_file`` as ``user`` if given.

    ``follow_views`` also allows the folders the lake's views name, for a
    kernel that sees the lake at another path than the server that built it.
    """
    config = startup_config(
        memory_limit, threads, errors_as_json=errors_as_json, replacement_scans=replacement_scans
    )
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute(f"ATTACH {literal(os.path.join(lake_dir, LAKE_FILE))} AS lake (READ_ONLY)")
        if scratch_file is not None:
            con.execute(f'ATTACH {literal(scratch_file)} AS "user"')
            con.execute('USE "user"')
            default = "user.main"
        else:
            con.execute("USE lake")
            default = "lake.main"
        search_path = ",".join([default, *(f"lake.{zone}" for zone in ZONES)])
        con.execute(f"SET search_path = {literal(search_path)}")
        con.execute("SET TimeZone = 'UTC'")
        folders = zone_folders(lake_dir, view_bases(con) if follow_views else ())
        con.execute(f"SET allowed_directories = [{', '.join(map(literal, folders))}]")
        # From here on only the attached files and the zone folders are reachable.
        con.execute("SET enable_external_access = false")
        if time_limit_ms is not None:
            con.execute(f"SET max_execution_time = {int(time_limit_ms)}")
        con.execute("SET lock_configuration = true")  # last: nothing above can change now
    except BaseException:
        con.close()
        raise
    return con


def connect_in_kernel(
    lake_dir: str, scratch_dir: str, memory_limit: str
) -> duckdb.DuckDBPyConnection:
    """A learner's ``lake`` in their kernel: their scratch file as ``user``, checked readable.

    The lake's views name their files by the absolute host path of the build
    folder, so wherever ``lake_dir`` is seen from (``/lake`` in the sandbox) the
    sandbox must also show the build folder at its host path; those folders
    are allowed too, and one view is read at once, so a lake mounted wrongly is
    reported here rather than in the learner's first cell.
    """
    con = connect_locked(
        lake_dir,
        memory_limit=memory_limit,
        scratch_file=os.path.join(scratch_dir, KERNEL_SCRATCH_FILE),
        replacement_scans=True,
        follow_views=True,
    )
    try:
        _probe(con, lake_dir)
    except BaseException:
        con.close()
        raise
    return con


def _probe(con: duckdb.DuckDBPyConnection, lake_dir: str) -> None:
    """Read one view of the lake; RuntimeError saying why when its files cannot be read."""
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

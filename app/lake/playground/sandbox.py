"""Open the locked-down DuckDB connection a playground query runs in.

Each query gets a fresh in-memory DuckDB with exactly two databases attached:
the lake, read-only, as ``lake``, and the learner's own scratch file as
``user``. Nobody else's scratch file is ever attached, so learners cannot see
each other's tables however they spell the name.

Why ``USE user`` and a search path instead of ``USE lake``: the lake file has
an (empty) schema of its own called ``user``, and when the default catalog is
the lake DuckDB reports ``user.x`` as ambiguous (catalog ``user`` or schema
``lake.user``?). With ``user`` as the default catalog, ``user.x`` is plainly
the learner's table, unqualified names and ``CREATE TABLE x`` land in the
learner's file, and listing ``lake.raw`` and the other zones in the search path
makes ``raw.responses`` resolve to the lake's view (two-part names are looked
up among the search path's schemas).

Then the configuration is locked (the second wall, after the statement
filter): no external access except read access to the lake's zone
directories, no extensions, no spilling to disk, a memory and time limit, and
``lock_configuration`` last so that SET/RESET/PRAGMA cannot undo any of it.
DuckDB's ``allowed_directories`` does not tell reads from writes, so on its own
the configuration would let COPY TO overwrite lake files: the worker's
Landlock confinement (playground.confine) is what makes the lake unwritable.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from app.lake.playground.types import PlaygroundSettings

LAKE_FILE = "lake.duckdb"
# The lake's zones whose views read files; the lake's own "user" zone is empty
# and is replaced by the learner's scratch catalog.
ZONES = ("transient", "raw", "refined", "trusted")


def lake_file(settings: PlaygroundSettings) -> Path:
    """The lake's DuckDB catalog file."""
    return settings.lake_dir / LAKE_FILE


def scratch_file(settings: PlaygroundSettings, learner_key: str) -> Path:
    """The learner's own scratch database (created on first use)."""
    return settings.scratch_dir / f"{learner_key}.duckdb"


def literal(text: str) -> str:
    """A SQL string literal (paths come from settings, but quote them properly anyway)."""
    return "'" + text.replace("'", "''") + "'"


def startup_config(settings: PlaygroundSettings) -> dict[str, object]:
    """Settings fixed when the in-memory database is created, before anything is attached."""
    return {
        "threads": settings.threads,
        "memory_limit": settings.memory_limit,
        "errors_as_json": True,  # positions and candidates come back as JSON
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
        "python_enable_replacements": False,  # no reading the worker's Python variables
    }


def allowed_directories(settings: PlaygroundSettings) -> list[str]:
    """The lake's zone directories (as configured and as resolved), each ending in '/'.

    The trailing slash keeps ``/lake/raw/`` from also admitting ``/lake/raw2``.
    """
    found: list[str] = []
    for base in dict.fromkeys((settings.lake_dir, settings.lake_dir.resolve())):
        found.extend(f"{base / zone}/" for zone in ZONES)
    return found


def open_sandbox(
    settings: PlaygroundSettings, learner_key: str, time_limit_s: float | None = None
) -> duckdb.DuckDBPyConnection:
    """A fresh, locked connection with the lake (read-only) and the learner's scratch file.

    ``learner_key`` must already be validated (see playground.validate_learner_key);
    ``time_limit_s`` (default ``settings.timeout_s``) becomes DuckDB's own
    per-statement ``max_execution_time``, a backstop to the runner's timer.
    """
    limit_ms = int((time_limit_s or settings.timeout_s) * 1000)
    con = duckdb.connect(":memory:", config=startup_config(settings))
    try:
        con.execute(f"ATTACH {literal(str(lake_file(settings)))} AS lake (READ_ONLY)")
        con.execute(f'ATTACH {literal(str(scratch_file(settings, learner_key)))} AS "user"')
        con.execute('USE "user"')
        search_path = ",".join(["user.main", *(f"lake.{zone}" for zone in ZONES)])
        con.execute(f"SET search_path = {literal(search_path)}")
        con.execute("SET TimeZone = 'UTC'")
        dirs = ", ".join(literal(d) for d in allowed_directories(settings))
        con.execute(f"SET allowed_directories = [{dirs}]")
        # From here on only the two attached files and the zone directories are reachable.
        con.execute("SET enable_external_access = false")
        con.execute(f"SET max_execution_time = {limit_ms}")
        con.execute("SET lock_configuration = true")  # last: nothing above can change now
    except BaseException:
        con.close()
        raise
    return con

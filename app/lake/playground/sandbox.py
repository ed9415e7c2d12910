"""Open the locked-down DuckDB connection a playground query runs in.

Each query gets a fresh connection from ``app.lake.lockdown`` (the one locked
connection, shared with the grader and learners' kernels) with exactly two
databases attached: the lake, read-only, and the learner's own scratch file as
``user``. Nobody else's scratch file is ever attached, so learners cannot see
each other's tables however they spell the name. DuckDB's
``allowed_directories`` does not tell reads from writes, so on its own the
configuration would let COPY TO overwrite lake files: the worker's Landlock
confinement (playground.confine) is what makes the lake unwritable.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from app.lake import lockdown
from app.lake.playground.types import PlaygroundSettings


def lake_file(settings: PlaygroundSettings) -> Path:
    """The lake's DuckDB catalog file."""
    return settings.lake_dir / lockdown.LAKE_FILE


def scratch_file(settings: PlaygroundSettings, learner_key: str) -> Path:
    """The learner's own scratch database (created on first use)."""
    return settings.scratch_dir / f"{learner_key}.duckdb"


def allowed_directories(settings: PlaygroundSettings) -> list[str]:
    """The lake's zone directories (as configured and as resolved), each ending in '/'."""
    return lockdown.zone_folders(str(settings.lake_dir))


def open_sandbox(
    settings: PlaygroundSettings, learner_key: str, time_limit_s: float | None = None
) -> duckdb.DuckDBPyConnection:
    """A fresh, locked connection with the lake (read-only) and the learner's scratch file.

    ``learner_key`` must already be validated (see playground.validate_learner_key);
    ``time_limit_s`` (default ``settings.timeout_s``) becomes DuckDB's own
    per-statement ``max_execution_time``, a backstop to the runner's timer.
    """
    return lockdown.connect_locked(
        str(settings.lake_dir),
        memory_limit=settings.memory_limit,
        threads=settings.threads,
        scratch_file=str(scratch_file(settings, learner_key)),
        time_limit_ms=int((time_limit_s or settings.timeout_s) * 1000),
        errors_as_json=True,  # positions and candidates come back as JSON
        # The restricted tier's views read the masked lake's files too.
        follow_views=settings.base_lake_dir is not None,
    )

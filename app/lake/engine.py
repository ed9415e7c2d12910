"""The playground engine this process shares: one pool of sandboxed DuckDB workers."""

from __future__ import annotations

import atexit
import os
from pathlib import Path

from flask import Flask, current_app

from app.lake.location import lake_dir
from app.lake.playground import Playground, PlaygroundSettings


def settings_for(app: Flask) -> PlaygroundSettings:
    """Limits from the app's settings, paths from its instance folder."""
    config = app.config
    scratch = config.get("ACADEMY_SCRATCH_DIR") or os.path.join(app.instance_path, "scratch")
    return PlaygroundSettings(
        lake_dir=lake_dir(),
        scratch_dir=Path(scratch),
        timeout_s=float(config.get("ACADEMY_QUERY_TIMEOUT", 5.0)),
        memory_limit=str(config.get("ACADEMY_QUERY_MEMORY", "256MB")),
        max_rows=int(config.get("ACADEMY_QUERY_MAX_ROWS", 500)),
        workers=int(config.get("ACADEMY_QUERY_WORKERS", 2)),
        require_confinement=bool(config.get("ACADEMY_REQUIRE_CONFINEMENT", False)),
    )


def playground() -> Playground:
    """The process's playground, started on first use (workers are separate processes)."""
    app = current_app._get_current_object()
    engine = app.extensions.get("lake_playground")
    if engine is None:
        engine = Playground(settings_for(app))
        app.extensions["lake_playground"] = engine
        atexit.register(engine.close)
    return engine


def learner_key(user_id: int) -> str:
    """The name of a learner's scratch space; derived from the id, never from their input."""
    return f"u{int(user_id)}"

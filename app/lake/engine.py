"""The playground each web process shares: one pool of sandboxed DuckDB workers per app.

``playground_engine.init_app(app)`` (called by ``create_app``) makes the app's
``Playground`` from its settings and closes it when the process exits. No
worker process starts then: the pool starts its workers on the first query, so
commands and tests that never query start none, and a server that forks after
``create_app`` starts them in each child that serves a query.
"""

from __future__ import annotations

import atexit
import os
from dataclasses import replace
from pathlib import Path

from flask import Flask, current_app

from app.lake.location import lake_dir
from app.lake.pipeline.restrict import restricted_link
from app.lake.playground import Playground, PlaygroundSettings

EXTENSION_KEY = "lake_playground"
# The playground for learners an admin granted the restricted tier: its workers
# read the build's restricted folder, which the other playground's never can.
RESTRICTED_KEY = "lake_playground_restricted"


def settings_for(app: Flask) -> PlaygroundSettings:
    """Limits from the app's settings, paths from its instance folder unless configured."""
    config = app.config
    scratch = config["ACADEMY_SCRATCH_DIR"]  # None: in the instance folder
    return PlaygroundSettings(
        lake_dir=lake_dir(app),
        scratch_dir=Path(scratch or os.path.join(app.instance_path, "scratch")),
        timeout_s=float(config["ACADEMY_QUERY_TIMEOUT"]),
        memory_limit=str(config["ACADEMY_QUERY_MEMORY"]),
        max_rows=int(config["ACADEMY_QUERY_MAX_ROWS"]),
        workers=int(config["ACADEMY_QUERY_WORKERS"]),
        require_confinement=bool(config["ACADEMY_REQUIRE_CONFINEMENT"]),
    )


class PlaygroundEngine:
    """Wires a playground into each app; its workers start with the first query."""

    def init_app(self, app: Flask) -> None:
        """Make ``app``'s playground (no worker starts yet) and close it at exit."""
        if EXTENSION_KEY in app.extensions:
            return
        settings = settings_for(app)
        playground = Playground(settings)
        restricted = Playground(
            replace(
                settings,
                lake_dir=restricted_link(settings.lake_dir),
                base_lake_dir=settings.lake_dir,
                workers=1,  # few learners are granted; one worker keeps the cost small
            )
        )
        app.extensions[EXTENSION_KEY] = playground
        app.extensions[RESTRICTED_KEY] = restricted
        atexit.register(playground.close)
        atexit.register(restricted.close)

    @staticmethod
    def get(app: Flask | None = None) -> Playground:
        """The playground of ``app``, or of the current app."""
        return (app or current_app).extensions[EXTENSION_KEY]

    @staticmethod
    def restricted(app: Flask | None = None) -> Playground:
        """The playground that shows restricted values: only for a learner with a grant."""
        return (app or current_app).extensions[RESTRICTED_KEY]

    @staticmethod
    def close(app: Flask) -> None:
        """Stop ``app``'s worker processes now (tests, benchmarks) rather than at exit."""
        for key in (EXTENSION_KEY, RESTRICTED_KEY):
            playground = app.extensions.get(key)
            if playground is not None:
                playground.close()


playground_engine = PlaygroundEngine()


def learner_key(user_id: int) -> str:
    """The name of a learner's scratch space; derived from the id, never from their input."""
    return f"u{int(user_id)}"

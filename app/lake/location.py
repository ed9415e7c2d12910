"""Where this app's lake is: the ACADEMY_LAKE_DIR setting, else ``lake`` in the instance folder."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

from app.lake.pipeline.files import DATABASE


def lake_dir(app: Flask | None = None) -> Path:
    """The lake folder of ``app`` (the current app unless given); it may not be built yet."""
    app = app or current_app
    configured = app.config["ACADEMY_LAKE_DIR"]  # None: in the instance folder
    return Path(configured or os.path.join(app.instance_path, "lake"))


def lake_database() -> Path:
    """The built lake's DuckDB file."""
    return lake_dir() / DATABASE


def lake_is_built() -> bool:
    """True once ``flask academy lake build`` has published a lake here."""
    return lake_database().is_file()

"""The messages between the web process and a worker: JSON over a pipe, never pickle."""

from __future__ import annotations

import json
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.lake.playground.types import PlaygroundSettings


def settings_to_dict(settings: PlaygroundSettings) -> dict[str, Any]:
    """Settings as JSON-able data, to hand to a worker."""
    data = asdict(settings)
    return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}


def send(conn: Connection, message: dict[str, Any]) -> None:
    """Send one JSON message (NaN and friends were made text long before this)."""
    conn.send_bytes(json.dumps(message, ensure_ascii=False, allow_nan=False).encode())

"""The playground's worker process: confine itself, then answer requests until told to stop.

Started by playground.pool as ``python -m app.lake.playground.worker FD``
with a scrubbed environment (no secret key, no database URL). FD is its end of
a socket pair; messages both ways are length-prefixed JSON (multiprocessing's
Connection framing), never pickle.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import Any

from app.lake.playground.confine import confine_worker
from app.lake.playground.export import export_csv
from app.lake.playground.protocol import send
from app.lake.playground.runner import explain_sql, run_sql
from app.lake.playground.types import (
    INTERNAL,
    PlaygroundSettings,
    QueryError,
    validate_learner_key,
)

log = logging.getLogger(__name__)


def serve(conn: Connection) -> None:
    """Read the settings, confine this process, then answer requests until EOF or "stop"."""
    settings = PlaygroundSettings(**json.loads(conn.recv_bytes()))
    report = confine_worker(settings)
    if settings.require_confinement and not report["landlock"]:
        send(conn, {"type": "refused", "confinement": report})
        return
    send(conn, {"type": "ready", "confinement": report})
    while True:
        try:
            request = json.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return  # the web process has gone
        if request.get("op") == "stop":
            return
        result = handle(settings, request, lambda text: send(conn, chunk(text)))
        send(conn, {"type": "result", "result": result})


def chunk(text: str) -> dict[str, str]:
    """A CSV chunk message."""
    return {"type": "chunk", "text": text}


def handle(settings: PlaygroundSettings, request: dict[str, Any], emit) -> dict[str, Any]:
    """Run one request; anything unexpected becomes an internal error, never an exit."""
    try:
        op, sql = request["op"], request["sql"]
        key = validate_learner_key(request["key"])
        if op == "run":
            return run_sql(settings, sql, key).to_dict()
        if op == "explain":
            return explain_sql(settings, sql, key).to_dict()
        if op == "csv":
            return export_csv(settings, sql, key, emit)
        raise ValueError(f"unknown playground request {op!r}")
    except Exception:  # noqa: BLE001 - the worker must keep serving
        log.exception("playground worker failed on a request")
        return {"error": asdict(QueryError("The playground failed to run this query.", INTERNAL))}


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))

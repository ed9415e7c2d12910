"""Helpers for the mail tests (not fixtures)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

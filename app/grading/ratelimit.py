"""How often a learner may submit, so the grader can't be used as an oracle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` submissions per exercise in any ``window``."""

    count: int = 5
    window: timedelta = timedelta(minutes=10)

    def retry_after(self, recent: Sequence[datetime], now: datetime) -> timedelta | None:
        """None if another submission is allowed now, else how long until it is."""
        inside = sorted(t for t in recent if now - t < self.window)
        if len(inside) < self.count:
            return None
        return inside[-self.count] + self.window - now

"""One broken promise of the lake, as ``lake check`` reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """One broken promise: what it is about and what is wrong."""

    subject: str  # a dataset, a file or "lake"
    message: str

    def __str__(self) -> str:
        """The failure as one line: 'subject: message'."""
        return f"{self.subject}: {self.message}"

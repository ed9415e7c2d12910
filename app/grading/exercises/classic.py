"""The classic traps of reading the lake: the mistakes the curriculum's exercises must catch.

An exercise's ``traps:`` entry may name one of these ids under ``classic:``;
between them, the exercises must cover every one (tests/grading/test_curriculum_traps.py).
"""

from __future__ import annotations

CLASSIC_TRAPS: dict[str, str] = {
    "bot-responses": "counting bot responses",
    "wrong-key": "joining on the wrong key",
    "raw-duplicates": "double counting raw duplicates",
    "snapshot-as-log": "reading a snapshot as a log",
    "append-log-current-row": "the current row of an append log with its tie-break",
    "sessionising": "sessionising an event stream",
    "late-events": "late-arriving events",
    "raw-to-trusted": "reconciling raw counts to trusted ones",
}

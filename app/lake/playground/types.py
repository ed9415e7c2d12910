"""The SQL playground's settings and results: plain data, picklable and JSON-able.

Results cross a process boundary as JSON (never pickle: the worker runs
learners' SQL, so nothing it sends back is trusted to build Python objects),
which is why every class here has ``to_dict`` / ``from_dict``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# What went wrong, for the page to choose how to show it.
SYNTAX = "syntax"  # the parser rejected the SQL; line and column are set
CATALOG = "catalog"  # unknown table, schema or function; candidates may be set
BINDER = "binder"  # unknown column, wrong types
REFUSED = "refused"  # the playground does not allow this statement or function
TIMEOUT = "timeout"  # stopped at the time limit
MEMORY = "memory"  # needed more memory than the limit
QUOTA = "quota"  # the learner's scratch file reached its size limit
TOO_LARGE = "too_large"  # the SQL text itself is too long
EMPTY = "empty"  # nothing to run
BUSY = "busy"  # every worker (or the learner's scratch file) is in use
UNAVAILABLE = "unavailable"  # the lake has not been built
RUNTIME = "runtime"  # any other error DuckDB reports while running
INTERNAL = "internal"  # a bug or a crashed worker; details are logged, not shown

_LEARNER_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def validate_learner_key(key: str | int) -> str:
    """The learner's scratch-file name, checked to be a safe token (e.g. a user id).

    Raises ValueError: the key comes from the caller's code, never from the learner.
    """
    text = str(key) if isinstance(key, int) and not isinstance(key, bool) else key
    if not isinstance(text, str) or not _LEARNER_KEY.fullmatch(text):
        raise ValueError("a learner key is 1-64 letters, digits, '_' or '-', starting alphanumeric")
    return text


@dataclass(frozen=True)
class PlaygroundSettings:
    """Where the lake and the scratch files live, and the limits every query runs under."""

    lake_dir: Path
    scratch_dir: Path
    timeout_s: float = 5.0
    memory_limit: str = "256MB"
    max_rows: int = 500
    max_csv_rows: int = 100_000
    workers: int = 2
    threads: int = 1
    max_sql_chars: int = 100_000
    max_statements: int = 20
    max_cell_chars: int = 10_000
    max_result_bytes: int = 2_000_000
    csv_timeout_s: float = 30.0
    max_csv_bytes: int = 64 * 2**20
    scratch_quota_bytes: int = 256 * 2**20
    kill_grace_s: float = 2.0
    queue_timeout_s: float = 10.0
    boot_timeout_s: float = 30.0
    # Landlock (Linux) confinement of the worker processes; see playground.confine.
    confine: bool = True
    # Refuse to run queries at all where Landlock cannot be applied.
    require_confinement: bool = False
    # Set for the restricted tier's playground: ``lake_dir`` is then the build's
    # restricted folder, whose views also read the (masked) lake's files here.
    base_lake_dir: Path | None = None

    def __post_init__(self) -> None:
        """Normalise the paths and refuse settings that would weaken the sandbox."""
        lake = Path(self.lake_dir).absolute()
        scratch = Path(self.scratch_dir).absolute()
        object.__setattr__(self, "lake_dir", lake)
        object.__setattr__(self, "scratch_dir", scratch)
        if self.base_lake_dir is not None:
            object.__setattr__(self, "base_lake_dir", Path(self.base_lake_dir).absolute())
        # Scratch files must never be readable as lake data, nor the lake writable
        # as scratch space: the two directories may not contain one another.
        for a, b in ((lake, scratch), (scratch, lake)):
            if a == b or a in b.parents:
                raise ValueError("lake_dir and scratch_dir must be separate directories")
        if not _MEMORY_LIMIT.match(self.memory_limit):
            raise ValueError(f"memory_limit must look like '256MB', not {self.memory_limit!r}")
        if not 1 <= self.threads <= 8 or not 1 <= self.workers <= 64:
            raise ValueError("threads must be 1-8 and workers 1-64")
        if min(self.timeout_s, self.csv_timeout_s, self.kill_grace_s) <= 0:
            raise ValueError("time limits must be positive")
        if min(self.max_rows, self.max_csv_rows, self.max_sql_chars, self.max_statements) < 1:
            raise ValueError("row, statement and size limits must be at least 1")


@dataclass(frozen=True)
class Column:
    """A result column: its name and its DuckDB type as DuckDB spells it."""

    name: str
    type: str


@dataclass(frozen=True)
class QueryError:
    """Why a query produced no result, placed in the SQL when DuckDB says where.

    ``offset`` is a 0-based character offset into the submitted SQL; ``line``
    and ``column`` are 1-based and point at the same character.
    """

    message: str
    kind: str
    line: int | None = None
    column: int | None = None
    offset: int | None = None
    candidates: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueryError:
        """Rebuild an error sent across the process boundary."""
        return cls(**{**data, "candidates": tuple(data.get("candidates") or ())})


@dataclass(frozen=True)
class QueryResult:
    """What one submission produced: the last statement's rows, or an error.

    ``rows`` holds at most ``max_rows`` rows of JSON-safe values (dates and
    times as ISO strings, decimals as strings, bytes as hex, NaN and infinities
    as strings). ``total_rows`` counts every row the query returned; when
    ``total_exact`` is false the count stopped at the time limit and is a lower
    bound. ``messages`` say what each DDL/DML statement did, in order.
    """

    columns: tuple[Column, ...] = ()
    rows: list[list[Any]] = field(default_factory=list)
    total_rows: int = 0
    total_exact: bool = True
    truncated: bool = False
    elapsed_ms: float = 0.0
    statement_type: str | None = None
    statement_types: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    plan: str | None = None
    error: QueryError | None = None

    @property
    def ok(self) -> bool:
        """True when the submission ran without an error."""
        return self.error is None

    @property
    def message(self) -> str | None:
        """The last DDL/DML message, e.g. "Created table user.x (3 rows)"."""
        return self.messages[-1] if self.messages else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (the shape a route can return as it is)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueryResult:
        """Rebuild a result sent across the process boundary."""
        error = data.get("error")
        return cls(
            columns=tuple(Column(**c) for c in data.get("columns", ())),
            rows=[list(r) for r in data.get("rows", ())],
            total_rows=data.get("total_rows", 0),
            total_exact=data.get("total_exact", True),
            truncated=data.get("truncated", False),
            elapsed_ms=data.get("elapsed_ms", 0.0),
            statement_type=data.get("statement_type"),
            statement_types=tuple(data.get("statement_types", ())),
            messages=tuple(data.get("messages", ())),
            notes=tuple(data.get("notes", ())),
            plan=data.get("plan"),
            error=QueryError.from_dict(error) if error else None,
        )


def failed(kind: str, message: str, elapsed_ms: float = 0.0, **where: Any) -> QueryResult:
    """A result that only carries an error."""
    return QueryResult(error=QueryError(message, kind, **where), elapsed_ms=elapsed_ms)


@dataclass(frozen=True)
class CsvExport:
    """A query's result as CSV text in chunks (header first), or the error instead.

    The whole export is collected from the worker before the page starts
    sending it, so a slow download never holds a worker; ``max_csv_rows`` and
    ``max_csv_bytes`` bound what the web process keeps in memory.
    """

    chunks: tuple[str, ...] = ()
    rows: int = 0
    truncated: bool = False
    elapsed_ms: float = 0.0
    error: QueryError | None = None

    @property
    def ok(self) -> bool:
        """True when the export has data to send."""
        return self.error is None

    def __iter__(self):
        """Iterate over the CSV chunks, e.g. ``Response(export, mimetype="text/csv")``."""
        return iter(self.chunks)

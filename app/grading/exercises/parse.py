"""Reading one exercise's ``exercise.yaml`` into an Exercise, with every problem found.

Problems are reported like the course checker's: ``path:line: severity: message``.
The notebooks and checks.py of the folder are checked in ``exercises.load``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from app.authoring.problems import Problem, Severity
from app.authoring.source import CODE_PATTERN
from app.grading.exercises.authored import (
    DEFAULT_PASS_MARK,
    KINDS,
    MAX_TOTAL_SECONDS,
    QUESTION_ID,
    Exercise,
    Limits,
    Question,
)
from app.grading.exercises.traps import parse_traps
from app.grading.exercises.yamlfile import KeyPath, YamlProblem, line_of, read_yaml

REQUIRED = ("title", "module", "questions")
OPTIONAL = ("pass_mark", "limits", "summary", "traps")
LIMIT_KEYS = ("cell_seconds", "total_seconds", "memory_mb")
QUESTION_REQUIRED = ("id", "points", "prompt", "kind")
# Which optional keys make sense for which kind; others are ignored with a warning.
QUESTION_OPTIONS = {
    "sql": ("reference", "order_matters", "float_tolerance", "columns_must_match_names", "hints"),
    "value": (
        "reference",
        "expected",
        "order_matters",
        "float_tolerance",
        "columns_must_match_names",
        "hints",
    ),
    "python": ("check", "hints"),
}


class _Problems:
    """Collects one file's problems, finding each key's line."""

    def __init__(self, path: str, lines: dict[KeyPath, int]):
        """Start with no problems for the file at ``path``."""
        self.path = path
        self.lines = lines
        self.items: list[Problem] = []

    def error(self, where: KeyPath | int, message: str) -> None:
        """Report an error at a key path or a line."""
        self._add(where, message, Severity.ERROR)

    def warning(self, where: KeyPath | int, message: str) -> None:
        """Report a warning at a key path or a line."""
        self._add(where, message, Severity.WARNING)

    def _add(self, where: KeyPath | int, message: str, severity: Severity) -> None:
        """Record a problem at the line of ``where``."""
        line = where if isinstance(where, int) else line_of(self.lines, *where)
        self.items.append(Problem(self.path, line, message, severity))


def _number(value: Any) -> bool:
    """True for an int or float (a bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(data: dict, key: str, where: KeyPath, problems: _Problems) -> str:
    """A required text field, or '' after reporting why it is missing or wrong."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.error(where, f"missing required field `{key}`")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.error((*where, key), f"`{key}` must be text")
        return ""
    return str(value).strip()


def _pass_mark(data: dict, problems: _Problems) -> float:
    """The pass mark, a fraction of the maximum score (default 0.6)."""
    value = data.get("pass_mark", DEFAULT_PASS_MARK)
    if not _number(value) or not 0 < value <= 1:
        problems.error(
            ("pass_mark",),
            f"`pass_mark` must be a fraction above 0 and up to 1, e.g. 0.6, not {value!r}",
        )
        return DEFAULT_PASS_MARK
    return float(value)


def _limits(data: dict, problems: _Problems) -> Limits:
    """The run limits, defaults for those not given."""
    raw = data.get("limits")
    if raw is None:
        return Limits()
    if not isinstance(raw, dict):
        problems.error(("limits",), "`limits` must be a mapping, e.g. `cell_seconds: 10`")
        return Limits()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in LIMIT_KEYS:
            problems.error(
                ("limits", key), f"unknown limit `{key}` (known: {', '.join(LIMIT_KEYS)})"
            )
        elif not _number(value) or value <= 0:
            problems.error(("limits", key), f"`{key}` must be a number above 0")
        elif key in ("cell_seconds", "total_seconds") and value > MAX_TOTAL_SECONDS:
            problems.error(
                ("limits", key), f"`{key}` can be at most {MAX_TOTAL_SECONDS} (10 minutes)"
            )
        else:
            values[key] = int(value) if key == "memory_mb" else float(value)
    return Limits(**values)


def _module(data: dict, known: Collection[str] | None, problems: _Problems) -> str:
    """The course code, checked against the known courses when given."""
    code = _text(data, "module", (), problems).upper()
    if code and not CODE_PATTERN.match(code):
        problems.error(("module",), f"`module` {code!r} must be a course code, e.g. DM201")
    elif code and known is not None and code not in known:
        problems.error(("module",), f"unknown module {code}: no course file has that code")
    return code


def _option(item: dict, key: str, default: Any, where: KeyPath, problems: _Problems) -> Any:
    """A question's option, checked against the type of its default."""
    value = item.get(key, default)
    if isinstance(default, bool) and not isinstance(value, bool):
        problems.error((*where, key), f"`{key}` must be true or false")
        return default
    if _number(default) and (not _number(value) or value < 0):
        problems.error((*where, key), f"`{key}` must be a number of 0 or more")
        return default
    return value


def _hints(item: dict, where: KeyPath, problems: _Problems) -> tuple[str, ...]:
    """The question's hints, in the order they are shown."""
    raw = item.get("hints")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(h, str) and h.strip() for h in raw):
        problems.error((*where, "hints"), "`hints` must be a list of text items")
        return ()
    return tuple(h.strip() for h in raw)


def _kind_fields(item: dict, kind: str, where: KeyPath, problems: _Problems) -> dict[str, Any]:
    """The fields each kind needs: a reference query, an expected value or a check."""
    fields: dict[str, Any] = {}
    reference = item.get("reference")
    if reference is not None and (not isinstance(reference, str) or not reference.strip()):
        problems.error((*where, "reference"), "`reference` must be a SQL query")
    elif reference is not None:
        fields["reference"] = reference.strip()
    if kind == "sql" and "reference" not in fields:
        problems.error(where, "a `sql` question needs a `reference:` query")
    if kind == "value":
        if "expected" in item:
            fields |= {"expected": item["expected"], "has_expected": True}
        if ("expected" in item) == (reference is not None):
            problems.error(where, "a `value` question needs either `reference:` or `expected:`")
    if kind == "python":
        check = item.get("check")
        if not isinstance(check, str) or not check.isidentifier():
            problems.error(
                (*where, "check"),
                "a `python` question needs `check:` naming a function in checks.py",
            )
        else:
            fields["check"] = check
    return fields


def _question(item: Any, index: int, problems: _Problems) -> Question | None:
    """One question, or None when it has errors (all of them reported)."""
    where: KeyPath = ("questions", index)
    if not isinstance(item, dict):
        problems.error(
            where, "each question must be a mapping with `id`, `points`, `prompt`, `kind`"
        )
        return None
    before = len(problems.items)
    qid = _text(item, "id", where, problems)
    if qid and not QUESTION_ID.match(qid):
        problems.error(
            (*where, "id"),
            f"question id {qid!r} must be lower-case letters, digits "
            "and _ (it becomes answer_<id> in the notebook)",
        )
    points = item.get("points")
    if not _number(points) or points <= 0:
        problems.error((*where, "points"), "`points` must be a number above 0")
    prompt = _text(item, "prompt", where, problems)
    kind = _text(item, "kind", where, problems)
    if kind and kind not in KINDS:
        problems.error((*where, "kind"), f"unknown kind {kind!r} (known: {', '.join(KINDS)})")
        return None
    fields = _kind_fields(item, kind, where, problems) if kind else {}
    for key in item:
        if key not in QUESTION_REQUIRED and key not in QUESTION_OPTIONS.get(kind, ()):
            problems.warning(
                (*where, str(key)),
                f"`{key}` does not apply to a {kind or '?'} question and is ignored",
            )
    question = Question(
        id=qid,
        points=float(points) if _number(points) else 0.0,
        prompt=prompt,
        kind=kind,
        order_matters=_option(item, "order_matters", False, where, problems),
        float_tolerance=float(_option(item, "float_tolerance", 1e-6, where, problems)),
        columns_must_match_names=_option(item, "columns_must_match_names", True, where, problems),
        hints=_hints(item, where, problems),
        line=line_of(problems.lines, *where),
        **fields,
    )
    has_errors = any(p.severity == Severity.ERROR for p in problems.items[before:])
    return None if has_errors else question


def _questions(data: dict, problems: _Problems) -> tuple[Question, ...]:
    """Every usable question; ids must be unique."""
    raw = data.get("questions")
    if raw is None or raw == []:
        return ()  # reported as a missing field
    if not isinstance(raw, list):
        problems.error(("questions",), "`questions` must be a list")
        return ()
    questions = [q for i, item in enumerate(raw) if (q := _question(item, i, problems))]
    seen: set[str] = set()
    for index, item in enumerate(raw):
        qid = str(item.get("id")) if isinstance(item, dict) and item.get("id") else None
        if qid in seen:
            problems.error(("questions", index), f"duplicate question id {qid!r}")
        if qid:
            seen.add(qid)
    return tuple(questions)


def parse_exercise_yaml(
    text: str, folder: Path, display: str, known_modules: Collection[str] | None = None
) -> tuple[Exercise | None, list[Problem]]:
    """Read exercise.yaml's text; the exercise (if usable) and its problems."""
    try:
        data, lines = read_yaml(text)
    except YamlProblem as bad:
        return None, [Problem(display, bad.line, bad.message)]
    problems = _Problems(display, lines)
    if not isinstance(data, dict):
        problems.error(1, "exercise.yaml must be a mapping of `key: value` lines")
        return None, problems.items
    for key in REQUIRED:
        if data.get(key) in (None, "", []):
            problems.error(1, f"missing required field `{key}`")
    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            problems.warning((str(key),), f"unknown field `{key}` is ignored")
    questions = _questions(data, problems)
    traps = parse_traps(
        data.get("traps"),
        folder,
        {q.id for q in questions},
        problems.error,
        lambda where: line_of(lines, *where),
    )
    exercise = Exercise(
        id=folder.name,
        folder=folder,
        title=_text(data, "title", (), problems) if data.get("title") else "",
        module=_module(data, known_modules, problems) if data.get("module") else "",
        questions=questions,
        traps=traps,
        pass_mark=_pass_mark(data, problems),
        limits=_limits(data, problems),
        lines={str(k[0]): v for k, v in lines.items() if len(k) == 1},
    )
    if any(p.severity == Severity.ERROR for p in problems.items):
        return None, problems.items
    return exercise, problems.items

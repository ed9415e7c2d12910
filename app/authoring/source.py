"""Reading one course file: YAML front matter, then an optional Markdown body.

A file with front matter and no body is a lean stub: a title published before
anyone writes the content, so staff can say they want it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from app.authoring.problems import Problem, Severity
from app.personas import PERSONAS, SLUGS, lookup

LEVELS = (100, 200, 300)
REQUIRED = ("code", "title", "level", "personas", "summary")
OPTIONAL = (
    "prerequisites",
    "outcomes",
    "instructors",
    "demand_threshold",
    "duration",
    "exercises",
    "technical",
)
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,11}[0-9]{3}$")

_HANDLER = YAMLHandler()


@dataclass(frozen=True)
class ModuleSource:
    """A module as its file describes it, before it reaches the database."""

    path: str
    code: str
    title: str
    level: int
    personas: tuple[str, ...]
    summary: str
    prerequisites: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    instructors: tuple[str, ...] = ()
    demand_threshold: int | None = None
    duration: str | None = None
    exercises: tuple[str, ...] = ()
    # Technical modules teach hands-on work: they need an exercise and a lesson notebook.
    technical: bool = True
    body: str = ""
    body_line: int = 1
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_stub(self) -> bool:
        return not self.body.strip()

    def line_of(self, key: str) -> int:
        """The line a front-matter key is on, or 1 if it isn't there."""
        return self.lines.get(key, 1)


class _FileProblems:
    """Collects the problems of one file as it is read."""

    def __init__(self, path: str, lines: dict[str, int]):
        self.path = path
        self.lines = lines
        self.items: list[Problem] = []

    def error(self, key: str | int, message: str) -> None:
        line = key if isinstance(key, int) else self.lines.get(key, 1)
        self.items.append(Problem(self.path, line, message, Severity.ERROR))

    def warning(self, key: str | int, message: str) -> None:
        line = key if isinstance(key, int) else self.lines.get(key, 1)
        self.items.append(Problem(self.path, line, message, Severity.WARNING))


def _key_lines(front_matter: str) -> dict[str, int]:
    """Map each top-level key to its 1-based line in the file (line 1 is ``---``)."""
    node = yaml.compose(front_matter, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): key.start_mark.line + 1
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }


def _string_list(value: Any, key: str, problems: _FileProblems) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.error(key, f"`{key}` must be a list of text items")
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def _required_text(data: dict, key: str, problems: _FileProblems) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""  # reported once, as a missing field
    if not isinstance(value, str | int | float):
        problems.error(key, f"`{key}` must be text")
        return ""
    return str(value).strip()


def _level(data: dict, problems: _FileProblems) -> int:
    raw = data.get("level")
    if raw is None:
        return 0
    try:
        level = int(str(raw).strip())
    except ValueError:
        level = 0
    if level not in LEVELS:
        problems.error("level", f"`level` must be 100, 200 or 300, not {raw!r}")
        return 0
    return level


def _personas(data: dict, problems: _FileProblems) -> tuple[str, ...]:
    raw = data.get("personas")
    if raw is None:
        return ()
    if isinstance(raw, str) and raw.strip().lower() == "all":
        return SLUGS
    names = _string_list(raw, "personas", problems)
    slugs = []
    for name in names:
        persona = lookup(name)
        if persona is None:
            known = ", ".join(p.name for p in PERSONAS)
            problems.error("personas", f"unknown persona {name!r} (known: {known}, or `all`)")
        elif persona.slug not in slugs:
            slugs.append(persona.slug)
    if not names:
        problems.error("personas", "`personas` must name at least one persona, or be `all`")
    return tuple(sorted(slugs, key=SLUGS.index))


def _threshold(data: dict, problems: _FileProblems) -> int | None:
    raw = data.get("demand_threshold")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        problems.error("demand_threshold", "`demand_threshold` must be a whole number above 0")
        return None
    return raw


def _technical(data: dict, problems: _FileProblems) -> bool:
    raw = data.get("technical", True)
    if not isinstance(raw, bool):
        problems.error("technical", "`technical` must be true or false")
        return True
    return raw


def _split(text: str, problems: _FileProblems) -> tuple[str, str, int] | None:
    """(front matter, body, body's first line), or None when there is no front matter."""
    if not _HANDLER.detect(text):
        problems.error(1, "no YAML front matter: the file must start with a `---` line")
        return None
    try:
        front_matter, body = _HANDLER.split(text)
    except ValueError:
        problems.error(1, "front matter is not closed by a second `---` line")
        return None
    body_line = text[: len(text) - len(body)].count("\n") + 1
    return front_matter, body, body_line


def parse_text(text: str, path: str) -> tuple[ModuleSource | None, list[Problem]]:
    """Read one course file's text; the module (if it is usable) and its problems."""
    problems = _FileProblems(path, {})
    split = _split(text, problems)
    if split is None:
        return None, problems.items
    front_matter, body, body_line = split
    try:
        problems.lines = _key_lines(front_matter)
        data = yaml.safe_load(front_matter)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 1 != line:
            reason += f" ({exc.context} on line {context.line + 1})"
        problems.error(line, f"front matter is not valid YAML: {reason}")
        return None, problems.items
    if not isinstance(data, dict):
        problems.error(2, "front matter must be a mapping of `key: value` lines")
        return None, problems.items
    return _build(data, body, body_line, path, problems), problems.items


def _build(
    data: dict, body: str, body_line: int, path: str, problems: _FileProblems
) -> ModuleSource | None:
    for key in REQUIRED:
        if data.get(key) in (None, "", []):
            problems.error(1, f"missing required field `{key}`")
    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            problems.warning(str(key), f"unknown field `{key}` is ignored")

    code = _required_text(data, "code", problems).upper()
    if code and not CODE_PATTERN.match(code):
        problems.error("code", f"`code` {code!r} must be letters then three digits, e.g. DP101")
    source = ModuleSource(
        path=path,
        code=code,
        title=_required_text(data, "title", problems),
        level=_level(data, problems),
        personas=_personas(data, problems),
        summary=_required_text(data, "summary", problems),
        prerequisites=tuple(
            c.upper() for c in _string_list(data.get("prerequisites"), "prerequisites", problems)
        ),
        outcomes=_string_list(data.get("outcomes"), "outcomes", problems),
        instructors=_string_list(data.get("instructors"), "instructors", problems),
        demand_threshold=_threshold(data, problems),
        duration=str(data["duration"]).strip() if data.get("duration") is not None else None,
        exercises=_string_list(data.get("exercises"), "exercises", problems),
        technical=_technical(data, problems),
        body=body.strip("\n"),
        body_line=body_line + (len(body) - len(body.lstrip("\n"))),
        lines=dict(problems.lines),
    )
    if any(p.severity == Severity.ERROR for p in problems.items):
        return None
    return source


def parse_file(path: Path, display_path: str) -> tuple[ModuleSource | None, list[Problem]]:
    """Read one course file from disk; unreadable files are a problem, not a crash."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(display_path, 1, "file is not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(display_path, 1, f"cannot read file: {exc.strerror}")]
    return parse_text(text, display_path)

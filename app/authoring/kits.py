"""Instructors' kits: ``courses/kits/<code lower>.md``, one per written module.

A kit is Markdown with front matter naming its module, an ``## Answer notes``
numbered list (one item per "Check your understanding" question, in order) and
an ``## Session plan`` with a timings table, ``### Live demo`` and ``### Common
questions``. Reading and checking here are pure: files in, problems out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from frontmatter.default_handlers import YAMLHandler
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.authoring.problems import Problem
from app.authoring.source import ModuleSource

KITS_FOLDER = "kits"
CHECK_HEADING = "check your understanding"

_HANDLER = YAMLHandler()
_MD = MarkdownIt("commonmark").enable(["table"])


@dataclass(frozen=True)
class Heading:
    """A heading of a Markdown text: its level (1 for ``#``), words and 0-based line."""

    level: int
    text: str
    line: int


@dataclass(frozen=True)
class KitSource:
    """A kit as its file says it: the module it names and its Markdown body."""

    path: str
    module: str
    body: str
    body_line: int  # the file's line of the body's first line, 1-based


def kit_path(root: Path, code: str) -> Path:
    """Where a module's kit lives in a course folder."""
    return root / KITS_FOLDER / f"{code.lower()}.md"


def _headings(tokens: list[Token]) -> list[tuple[int, Heading]]:
    """(token index, heading) for every heading in a token stream."""
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            found.append(
                (i, Heading(int(token.tag[1]), tokens[i + 1].content.strip(), token.map[0]))
            )
    return found


def _section(tokens: list[Token], title: str, level: int) -> tuple[Heading, list[Token]] | None:
    """The heading called ``title`` (any case) and the tokens up to the next peer heading."""
    heads = _headings(tokens)
    for n, (start, heading) in enumerate(heads):
        if heading.level == level and heading.text.lower() == title.lower():
            end = next((i for i, h in heads[n + 1 :] if h.level <= level), len(tokens))
            return heading, tokens[start:end]
    return None


def numbered_items(tokens: list[Token]) -> list[int]:
    """The 0-based lines of the items of the first top-level numbered list in ``tokens``."""
    depth = 0
    items: list[int] = []
    for token in tokens:
        if token.type in ("ordered_list_open", "bullet_list_open"):
            depth += 1
        elif token.type in ("ordered_list_close", "bullet_list_close"):
            depth -= 1
            if depth == 0 and items:
                return items
        elif (
            token.type == "list_item_open"
            and depth == 1
            and token.map is not None
            and _in_ordered(tokens, token)
        ):
            items.append(token.map[0])
    return items


def _in_ordered(tokens: list[Token], item: Token) -> bool:
    """Whether a top-level list item belongs to a numbered list."""
    index = tokens.index(item)
    for token in reversed(tokens[:index]):
        if token.type.endswith("_list_open") and token.level == item.level - 1:
            return token.type == "ordered_list_open"
    return False


def question_count(module: ModuleSource) -> tuple[int, int]:
    """(number of "Check your understanding" questions, file line of that heading or 0)."""
    tokens = _MD.parse(module.body)
    for _, heading in _headings(tokens):
        if heading.text.lower() == CHECK_HEADING:
            found = _section(tokens, heading.text, heading.level)
            assert found is not None
            return len(numbered_items(found[1])), module.body_line + heading.line
    return 0, 0


def read_kit(path: Path, display: str) -> tuple[KitSource | None, list[Problem]]:
    """Read one kit file: its module and body, or the problem that stops it being read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(display, 1, f"cannot read kit: {error}")]
    if not _HANDLER.detect(text):
        return None, [
            Problem(display, 1, "no front matter: a kit starts with `---`, `module: CODE`")
        ]
    try:
        front, body = _HANDLER.split(text)
        data = yaml.safe_load(front)
    except (ValueError, yaml.YAMLError) as error:
        return None, [Problem(display, 1, f"kit front matter is not valid: {error}")]
    module = str(data.get("module", "")).strip().upper() if isinstance(data, dict) else ""
    body_line = text[: len(text) - len(body)].count("\n") + 1
    return KitSource(display, module, body, body_line), []


def check_kit(
    kit: KitSource, module: ModuleSource | None, code: str, known: set[str]
) -> list[Problem]:
    """A kit's own problems: the module it names, its answer notes and its session plan.

    ``module`` is the module whose kit this is by its file name, ``code`` that code,
    ``known`` every module code in the folder.
    """
    problems: list[Problem] = []

    def at(line: int, message: str) -> None:
        problems.append(Problem(kit.path, kit.body_line + line, message))

    if not kit.module:
        problems.append(Problem(kit.path, 2, "kit front matter must say `module: CODE`"))
    elif kit.module not in known:
        problems.append(
            Problem(kit.path, 2, f"kit names module {kit.module}, which does not exist")
        )
    elif kit.module != code:
        problems.append(
            Problem(kit.path, 2, f"kit names module {kit.module}, but it is the kit of {code}")
        )
    tokens = _MD.parse(kit.body)
    notes = _section(tokens, "Answer notes", 2)
    if notes is None:
        at(0, "kit has no `## Answer notes` section")
    elif module is not None:
        items = numbered_items(notes[1])
        questions, line = question_count(module)
        if len(items) != questions:
            where = f" ({module.path}:{line})" if line else ""
            at(
                notes[0].line,
                f"{len(items)} answer note(s) for {questions} numbered question(s) in "
                f'{module.code}\'s "Check your understanding"{where}',
            )
    plan = _section(tokens, "Session plan", 2)
    if plan is None:
        at(0, "kit has no `## Session plan` section")
        return problems
    if not any(t.type == "table_open" for t in plan[1]):
        at(plan[0].line, "`## Session plan` has no timings table")
    for title in ("Live demo", "Common questions"):
        if _section(plan[1], title, 3) is None:
            at(plan[0].line, f"`## Session plan` has no `### {title}`")
    return problems


def check_kits(root: Path, modules: list[ModuleSource]) -> list[Problem]:
    """Every written module has a sound kit, and every kit belongs to a module."""
    by_code = {m.code: m for m in modules}
    problems: list[Problem] = []
    for module in modules:
        path = kit_path(root, module.code)
        display = str(path.relative_to(root.parent))
        if module.is_stub:
            continue
        if not path.is_file():
            problems.append(
                Problem(module.path, 1, f"written module {module.code} has no kit {display}")
            )
            continue
        kit, read_problems = read_kit(path, display)
        problems += read_problems
        if kit is not None:
            problems += check_kit(kit, module, module.code, set(by_code))
    kits = root / KITS_FOLDER
    for path in sorted(kits.glob("*.md")) if kits.is_dir() else []:
        if path.name.lower() == "readme.md" or path.stem.upper() in by_code:
            continue
        kit, read_problems = read_kit(path, str(path.relative_to(root.parent)))
        problems += read_problems
        if kit is not None:
            problems += check_kit(kit, by_code.get(kit.module), path.stem.upper(), set(by_code))
    return problems


def load_kit(root: Path, code: str) -> KitSource | None:
    """A module's kit if its file can be read, for sync (the check reports the rest)."""
    path = kit_path(root, code)
    if not path.is_file():
        return None
    kit, _ = read_kit(path, str(path.relative_to(root.parent)))
    return kit

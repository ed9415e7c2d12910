"""Reading and checking a whole ``courses/`` folder: the rules that span files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.authoring.markdown import LinkTarget, find_links
from app.authoring.problems import Problem, Severity, has_errors
from app.authoring.source import ModuleSource, parse_file

# Link kinds other areas teach the checker about, e.g. the lake's glossary:
# kind -> a predicate saying whether a key exists.
LinkChecker = Callable[[str], bool]


@dataclass
class CourseSet:
    """Every module read from a folder, and every problem found in it."""

    root: Path
    modules: list[ModuleSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    @property
    def by_code(self) -> dict[str, ModuleSource]:
        return {m.code: m for m in self.modules}


# Instructors' kits (answer notes, session plans) live beside the modules but are
# not modules themselves.
KITS_FOLDER = "kits"


def course_files(root: Path) -> list[Path]:
    """The Markdown files that are modules; ``README.md``, ``_*`` files and kits are not."""
    return sorted(
        p
        for p in root.rglob("*.md")
        if p.is_file()
        and p.name.lower() != "readme.md"
        and not p.name.startswith("_")
        and KITS_FOLDER not in p.relative_to(root).parts[:-1]
    )


def load_folder(root: Path, link_kinds: dict[str, LinkChecker] | None = None) -> CourseSet:
    """Read every course file under ``root`` and check the folder as a whole."""
    courses = CourseSet(root=root)
    if not root.is_dir():
        courses.problems.append(Problem(str(root), 0, "course folder does not exist"))
        return courses
    for path in course_files(root):
        display = str(path.relative_to(root.parent))
        module, problems = parse_file(path, display)
        courses.problems.extend(problems)
        if module is not None:
            courses.modules.append(module)
    courses.problems.extend(check_set(courses.modules, link_kinds or {}))
    courses.problems.sort(key=lambda p: (p.path, p.line, p.message))
    return courses


def check_set(modules: list[ModuleSource], link_kinds: dict[str, LinkChecker]) -> list[Problem]:
    """The rules between files: unique codes, known prerequisites, no cycles, links."""
    problems: list[Problem] = []
    by_code: dict[str, ModuleSource] = {}
    for module in modules:
        first = by_code.setdefault(module.code, module)
        if first is not module:
            problems.append(
                Problem(
                    module.path,
                    module.line_of("code"),
                    f"duplicate code {module.code}: also used by {first.path}",
                )
            )
    problems += _check_prerequisites(modules, by_code)
    problems += _check_cycles(by_code)
    problems += _check_links(modules, by_code, link_kinds)
    return problems


def _check_prerequisites(
    modules: list[ModuleSource], by_code: dict[str, ModuleSource]
) -> list[Problem]:
    problems = []
    for module in modules:
        line = module.line_of("prerequisites")
        for code in module.prerequisites:
            prerequisite = by_code.get(code)
            if prerequisite is None:
                problems.append(Problem(module.path, line, f"unknown prerequisite {code}"))
            elif code == module.code:
                continue  # reported as a cycle
            elif prerequisite.level > module.level:
                problems.append(
                    Problem(
                        module.path,
                        line,
                        f"prerequisite {code} is level {prerequisite.level}, above this "
                        f"module's level {module.level}",
                    )
                )
    return problems


def find_cycles(graph: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Each distinct cycle in a prerequisite graph, as codes, first code repeated last."""
    cycles: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 finished

    def visit(code: str, stack: list[str]) -> None:
        state[code] = 1
        stack.append(code)
        for nxt in graph.get(code, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    cycles.append(cycle)
            elif state.get(nxt) is None:
                visit(nxt, stack)
        stack.pop()
        state[code] = 2

    for code in sorted(graph):
        if code not in state:
            visit(code, [])
    return cycles


def _check_cycles(by_code: dict[str, ModuleSource]) -> list[Problem]:
    graph = {code: m.prerequisites for code, m in by_code.items()}
    problems = []
    for cycle in find_cycles(graph):
        module = by_code[cycle[0]]
        problems.append(
            Problem(
                module.path,
                module.line_of("prerequisites"),
                "prerequisite cycle: " + " -> ".join(cycle),
            )
        )
    return problems


def _check_links(
    modules: list[ModuleSource],
    by_code: dict[str, ModuleSource],
    link_kinds: dict[str, LinkChecker],
) -> list[Problem]:
    problems = []
    for module in modules:
        for link in find_links(module.body):
            line = module.body_line + link.line
            message = _link_problem(link.target, by_code, link_kinds)
            if message:
                problems.append(Problem(module.path, line, f"{message} in {link.text}"))
    return problems


def _link_problem(
    target: LinkTarget, by_code: dict[str, ModuleSource], link_kinds: dict[str, LinkChecker]
) -> str | None:
    if target.kind == "module":
        return None if target.key in by_code else f"link to unknown module {target.key}"
    checker = link_kinds.get(target.kind)
    if checker is None:
        return f"unknown link kind `{target.kind}:`"
    return None if checker(target.key) else f"unknown {target.kind} entry {target.key!r}"


__all__ = ["CourseSet", "Severity", "check_set", "course_files", "find_cycles", "load_folder"]

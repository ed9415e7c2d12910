"""Reading exercise.yaml with the line of every key, so problems can say where they are."""

from __future__ import annotations

from typing import Any

import yaml

# A key's place in the document: ("questions", 2, "reference") for the third question's SQL.
KeyPath = tuple[str | int, ...]


class YamlProblem(Exception):
    """The text is not YAML; ``line`` is where the parser gave up (1-based)."""

    def __init__(self, line: int, message: str):
        """Remember where the parser gave up and why."""
        super().__init__(message)
        self.line = line
        self.message = message


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    """Record the line of every mapping key and list item under ``node``."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines)


def read_yaml(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """The parsed document and the line of each key in it; YamlProblem if it is not YAML."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem(line, f"not valid YAML: {reason}") from None
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def line_of(lines: dict[KeyPath, int], *path: str | int) -> int:
    """The line of the deepest part of ``path`` that exists in the document, else 1."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1

"""Laying out a prerequisite graph as columns by level, for drawing as SVG.

Pure geometry: nodes in, positions and edge paths out. Levels run left to
right; within a column, nodes are ordered by the average row of their
neighbours (a few barycentre sweeps), which removes most edge crossings in a
curriculum-shaped graph without a layout library.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LEVELS = (100, 200, 300)
LEVEL_NAMES = {100: "100 · Foundations", 200: "200 · Practitioner", 300: "300 · Advanced"}

NODE_W, NODE_H = 250, 58
COL_GAP, ROW_GAP = 110, 18
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 40, 56, 24
TITLE_CHARS = 29


@dataclass(frozen=True)
class GraphNode:
    """A module to draw, and how to draw it."""

    code: str
    title: str
    level: int
    planned: bool = False
    on_path: bool = True
    completed: bool = False
    tag: str = ""  # an extra CSS class, e.g. "focus" for the dataset a lineage is about


@dataclass(frozen=True)
class PlacedNode:
    node: GraphNode
    x: int
    y: int

    @property
    def label(self) -> str:
        """The title, cut to fit one line of the box."""
        title = self.node.title
        return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class PlacedEdge:
    source: str
    target: str
    path: str


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]
    columns: list[tuple[str, int]]  # (heading, x of the column's centre)
    node_width: int = NODE_W
    node_height: int = NODE_H


def _order_columns(
    nodes: list[GraphNode], edges: list[tuple[str, str]], levels: Sequence[int], sweeps: int = 4
) -> dict[int, list[str]]:
    columns: dict[int, list[str]] = {
        level: sorted(n.code for n in nodes if n.level == level) for level in levels
    }
    neighbours: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        neighbours[source].append(target)
        neighbours[target].append(source)
    row = {code: i for column in columns.values() for i, code in enumerate(column)}

    def centre(code: str) -> float:
        rows = [row[n] for n in neighbours[code]]
        return sum(rows) / len(rows) if rows else row[code]

    for _ in range(sweeps):
        for level in levels:
            columns[level] = sorted(columns[level], key=lambda c: (centre(c), c))
            row.update({code: i for i, code in enumerate(columns[level])})
    return columns


def _edge_path(source: PlacedNode, target: PlacedNode) -> str:
    y1, y2 = source.y + NODE_H // 2, target.y + NODE_H // 2
    if source.x == target.x:  # same level: loop out to the left of the column
        x = source.x
        bend = x - 34
        return f"M{x},{y1} C{bend},{y1} {bend},{y2} {x - 6},{y2}"
    x1, x2 = source.x + NODE_W, target.x - 6
    mid = (x1 + x2) // 2
    return f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"


def layout(
    nodes: list[GraphNode],
    edges: list[tuple[str, str]],
    levels: Sequence[int] = LEVELS,
    headings: Mapping[int, str] = LEVEL_NAMES,
) -> Layout:
    """Place ``nodes`` in columns by ``level``, left to right; ``edges`` run source to target.

    The levels default to the curriculum's 100/200/300; the lake's lineage
    pictures pass the zones in flow order instead.
    """
    by_code = {n.code: n for n in nodes}
    edges = [(s, t) for s, t in edges if s in by_code and t in by_code]
    columns = _order_columns(nodes, edges, levels)
    placed: dict[str, PlacedNode] = {}
    tallest = max((len(c) for c in columns.values()), default=0)
    for index, level in enumerate(levels):
        x = MARGIN_X + index * (NODE_W + COL_GAP)
        column = columns[level]
        # Centre shorter columns against the tallest so the picture reads as a flow.
        offset = (tallest - len(column)) * (NODE_H + ROW_GAP) // 2
        for row, code in enumerate(column):
            y = MARGIN_TOP + offset + row * (NODE_H + ROW_GAP)
            placed[code] = PlacedNode(by_code[code], x, y)
    width = 2 * MARGIN_X + len(levels) * NODE_W + (len(levels) - 1) * COL_GAP
    height = MARGIN_TOP + MARGIN_BOTTOM + max(tallest, 1) * (NODE_H + ROW_GAP)
    return Layout(
        width=width,
        height=height,
        nodes=[placed[c] for level in levels for c in columns[level]],
        edges=[PlacedEdge(s, t, _edge_path(placed[s], placed[t])) for s, t in edges],
        columns=[
            (headings[level], MARGIN_X + i * (NODE_W + COL_GAP) + NODE_W // 2)
            for i, level in enumerate(levels)
        ],
    )

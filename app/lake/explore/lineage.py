"""Lineage: what a dataset is made from and what is made from it, laid out by zone."""

from __future__ import annotations

from collections.abc import Iterable

from app.catalogue.graph import GraphNode, Layout, layout
from app.lake.dictionary import Dataset

# The zones data flows through, left to right (the user zone holds no shipped datasets).
FLOW = ("transient", "raw", "refined", "trusted")


def lineage_edges(datasets: Iterable[Dataset]) -> list[tuple[str, str]]:
    """(upstream, downstream) for every lineage link in the catalogue."""
    return [(up, ds.qualified_name) for ds in datasets for up in ds.lineage]


def related(datasets: Iterable[Dataset], name: str) -> set[str]:
    """``name``, everything upstream of it and everything downstream, transitively."""
    edges = lineage_edges(datasets)
    found = {name}
    for forward in (True, False):
        frontier = [name]
        while frontier:
            here = frontier.pop()
            for up, down in edges:
                source, target = (up, down) if forward else (down, up)
                if target == here and source not in found:
                    found.add(source)
                    frontier.append(source)
    return found


def lineage_layout(datasets: list[Dataset], name: str) -> Layout:
    """The lineage picture of one dataset: its ancestors and descendants in zone columns."""
    keep = related(datasets, name)
    chosen = [ds for ds in datasets if ds.qualified_name in keep]
    nodes = [
        GraphNode(
            code=ds.qualified_name,
            title=f"{ds.kind.replace('_', ' ')} · {ds.file_format}",
            level=FLOW.index(ds.zone) if ds.zone in FLOW else 0,
            tag="focus" if ds.qualified_name == name else "",
        )
        for ds in chosen
    ]
    edges = [(u, d) for u, d in lineage_edges(chosen) if u in keep and d in keep]
    headings = {i: zone.capitalize() for i, zone in enumerate(FLOW)}
    return layout(nodes, edges, levels=tuple(range(len(FLOW))), headings=headings)

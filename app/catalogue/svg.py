"""Drawing a laid-out prerequisite graph as inline, accessible SVG.

Built with string formatting rather than a template because a path can hold
hundreds of modules, and Jinja's per-attribute overhead made this the slowest
part of the page. Every piece of text goes through ``escape``.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from app.catalogue.graph import Layout, PlacedNode

_DEFS = (
    "<defs>"
    '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
    'class="arrowhead"></path></marker>'
    '<pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" class="hatch-line">'
    "</line></pattern></defs>"
)


def _node(placed: PlacedNode, href: str, width: int, height: int) -> str:
    n = placed.node
    classes = ["node", "planned" if n.planned else "published"]
    notes = []
    if n.planned:
        notes.append(" (planned)")
    if not n.on_path:
        classes.append("offpath")
        notes.append(" (from another path)")
    if n.completed:
        classes.append("completed")
        notes.append(" (completed)")
    if n.tag:
        classes.append(n.tag)
    code_line = f"{n.code}{' · planned' if n.planned else ''}{' ✓' if n.completed else ''}"
    x, y = placed.x, placed.y
    box = f'x="{x}" y="{y}" width="{width}" height="{height}" rx="8"'
    hatch = f'<rect {box} class="hatched" fill="url(#hatch)"></rect>' if n.planned else ""
    return (
        f'<a href="{escape(href)}" class="{" ".join(classes)}" data-code="{escape(n.code)}">'
        f"<title>{escape(n.code)} {escape(n.title)}{''.join(notes)}</title>"
        f"<rect {box}></rect>{hatch}"
        f'<text x="{x + 12}" y="{y + 23}" class="node-code">{escape(code_line)}</text>'
        f'<text x="{x + 12}" y="{y + 43}" class="node-title">{escape(placed.label)}</text></a>'
    )


def _modules_description(layout: Layout) -> str:
    return (
        f"{len(layout.nodes)} modules in three columns by level, with {len(layout.edges)} "
        "arrows from each prerequisite to the module that needs it. "
        "The list below the picture gives the same information."
    )


def render_svg(
    layout: Layout,
    title: str,
    href_for: Callable[[str], str],
    description: str | None = None,
) -> Markup:
    """The graph as a labelled ``<svg>`` whose modules are links.

    Its role is ``group``, not ``img``: an image may not contain links, and
    each module in the picture is one.
    """
    parts = [
        f'<svg class="path-graph" viewBox="0 0 {layout.width} {layout.height}" '
        f'width="{layout.width}" height="{layout.height}" role="group" '
        'aria-labelledby="graph-title graph-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="graph-title">{escape(title)}</title>',
        f'<desc id="graph-desc">{escape(description or _modules_description(layout))}</desc>',
        _DEFS,
    ]
    parts += [
        f'<text x="{x}" y="28" text-anchor="middle" class="column-heading">{escape(h)}</text>'
        for h, x in layout.columns
    ]
    parts.append('<g class="edges">')
    parts += [
        f'<path d="{e.path}" class="edge" marker-end="url(#arrow)" '
        f'data-source="{escape(e.source)}" data-target="{escape(e.target)}"></path>'
        for e in layout.edges
    ]
    parts.append('</g><g class="nodes">')
    parts += [
        _node(p, href_for(p.node.code), layout.node_width, layout.node_height) for p in layout.nodes
    ]
    parts.append("</g></svg>")
    return Markup("".join(parts))

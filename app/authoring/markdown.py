"""Markdown bodies to sanitised HTML, with ``[[CODE]]`` links between modules.

Authors link to another module with ``[[DP101]]`` or ``[[DP101|label]]``. Other
link kinds use a prefix (``[[glossary:Response]]``); a resolver passed in by
the caller decides what each target points at, so this module stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

_WIKILINK = re.compile(r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]")


@dataclass(frozen=True)
class LinkTarget:
    """What a ``[[...]]`` link names: a kind (``module``, ``glossary``) and a key."""

    kind: str
    key: str

    @classmethod
    def parse(cls, text: str) -> LinkTarget:
        kind, sep, key = text.strip().partition(":")
        if not sep:
            return cls("module", kind.strip().upper())
        return cls(kind.strip().lower(), key.strip())


@dataclass(frozen=True)
class ResolvedLink:
    """Where a link goes and the words shown for it."""

    href: str
    label: str
    title: str = ""


Resolver = Callable[[LinkTarget], ResolvedLink | None]


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = _WIKILINK.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {"target": match.group(1), "label": (match.group(2) or "").strip()}
    state.pos = match.end()
    return True


def _render_wikilink(self, tokens: list[Token], idx: int, options, env) -> str:
    from html import escape

    meta = tokens[idx].meta
    target = LinkTarget.parse(meta["target"])
    resolver: Resolver | None = env.get("resolve") if env else None
    resolved = resolver(target) if resolver else None
    if resolved is None:
        return f'<span class="broken-link">{escape(meta["label"] or meta["target"])}</span>'
    label = escape(meta["label"] or resolved.label)
    title = f' title="{escape(resolved.title)}"' if resolved.title else ""
    return f'<a href="{escape(resolved.href)}" class="{target.kind}-link"{title}>{label}</a>'


def _demote_headings(state) -> None:
    """The page's title is its only <h1>, so a body's ``#`` becomes <h2> and so on."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _focusable(default):
    """Code blocks may scroll sideways, so keyboard users must be able to focus them."""

    def render(self, tokens, idx, options, env) -> str:
        html = default(self, tokens, idx, options, env)
        return html.replace("<pre>", '<pre tabindex="0">', 1)

    return render


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.core.ruler.push("demote_headings", _demote_headings)
    md.add_render_rule("fence", _focusable(RendererHTML.fence))
    md.add_render_rule("code_block", _focusable(RendererHTML.code_block))
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    return md


_MD = _parser()

_TAGS = nh3.ALLOWED_TAGS | {"span", "div", "details", "summary", "figure", "figcaption"}
_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "a": {"href", "title", "class"},
    "span": {"class"},
    "code": {"class"},
    "div": {"class"},
    "pre": {"tabindex"},
    "th": {"align", "style"},
    "td": {"align", "style"},
}


def sanitise(html: str) -> str:
    """Remove anything that could run: scripts, event handlers, ``javascript:`` URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


def render(markdown: str, resolve: Resolver | None = None) -> str:
    """Markdown to HTML that is safe to show, whoever wrote the Markdown."""
    return sanitise(_MD.render(markdown, {"resolve": resolve}))


@dataclass(frozen=True)
class FoundLink:
    """A link found in a body, with its 0-based line within the body."""

    line: int
    target: LinkTarget
    text: str


_MODULE_HREF = re.compile(r"^/modules/([A-Za-z0-9_-]+)/?$")


def find_links(markdown: str) -> Iterator[FoundLink]:
    """Every ``[[...]]`` link and every Markdown link to ``/modules/CODE`` in a body."""
    for block in _MD.parse(markdown):
        if block.type != "inline" or not block.children or block.map is None:
            continue
        line = block.map[0]
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "wikilink":
                target = child.meta["target"]
                yield FoundLink(line, LinkTarget.parse(target), f"[[{target}]]")
            elif child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                match = _MODULE_HREF.match(href)
                if match:
                    yield FoundLink(line, LinkTarget("module", match.group(1).upper()), href)

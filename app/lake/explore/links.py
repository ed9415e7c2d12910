"""``[[glossary:Term]]`` links in course Markdown, checked by ``academy check``."""

from __future__ import annotations

import re

from app.authoring.markdown import LinkTarget, ResolvedLink
from app.lake.dictionary import term


def glossary_anchor(name: str) -> str:
    """The fragment a term has on the glossary page: "Append log" -> "append-log"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def glossary_exists(key: str) -> bool:
    return term(key) is not None


def resolve_glossary(target: LinkTarget) -> ResolvedLink | None:
    """A link to the term on the glossary page, its definition shown on hover."""
    found = term(target.key)
    if found is None:
        return None
    return ResolvedLink(
        f"/lake/glossary#{glossary_anchor(found.name)}", found.name, found.definition
    )


LINK_KINDS = {"glossary": glossary_exists}
RESOLVERS = {"glossary": resolve_glossary}

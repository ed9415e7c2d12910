"""Template filters and extensions the pages share."""

from flask import Flask

from app.personas import BY_SLUG


def persona_name(slug: str) -> str:
    """ "product-manager" -> "Product Manager"."""
    persona = BY_SLUG.get(slug)
    return persona.name if persona else slug


def init_app(app: Flask) -> None:
    from app.lake.explore.links import glossary_anchor

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["persona_name"] = persona_name
    app.jinja_env.filters["glossary_anchor"] = glossary_anchor

"""The six personas staff are grouped into, shared by accounts, courses and paths.

Each persona has a slug (used in URLs and the database) and a display name
(used in course front matter and pages). Front matter may use either.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    """One group of staff with its own tools, zones and learning path."""

    slug: str
    name: str
    blurb: str


PERSONAS: tuple[Persona, ...] = (
    Persona("scientist", "Scientist", "Explores raw and refined data for new signals and models."),
    Persona("analyst", "Analyst", "Answers business questions from refined and trusted data."),
    Persona(
        "developer", "Developer", "Builds and schedules the pipelines that move data between zones."
    ),
    Persona(
        "product-manager", "Product Manager", "Uses trusted data to decide what to build next."
    ),
    Persona("technical-support", "Technical Support", "Traces what happened to a customer's data."),
    Persona(
        "customer-development",
        "Customer Development",
        "Backs conversations with retailers with numbers they can trust.",
    ),
)

BY_SLUG: dict[str, Persona] = {p.slug: p for p in PERSONAS}
SLUGS: tuple[str, ...] = tuple(p.slug for p in PERSONAS)

_ALIASES = {"sales": "customer-development"}


def slugify(text: str) -> str:
    """Turn "Product Manager" or "product_manager" into "product-manager"."""
    return "-".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


def lookup(text: str) -> Persona | None:
    """Find a persona by slug, display name or alias; None if there is none."""
    slug = slugify(text)
    return BY_SLUG.get(_ALIASES.get(slug, slug))


def choices() -> list[tuple[str, str]]:
    """(slug, name) pairs for form select fields."""
    return [(p.slug, p.name) for p in PERSONAS]

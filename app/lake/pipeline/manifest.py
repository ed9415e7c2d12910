"""manifest.json: what a build made, so ``lake check`` can hold the lake to it.

It records the seed and scale, the dirt planted, the lineage each step
actually read, row counts and the SHA-256 of every data file. It holds no
times or paths, so the same seed and scale give the same manifest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.lake.pipeline.files import MANIFEST

FORMAT = 1


@dataclass(frozen=True)
class Manifest:
    """The record of one build."""

    seed: int
    scale: int
    dirt: dict[str, int]
    lineage: dict[str, list[str]]  # dataset -> the datasets its step read
    row_counts: dict[str, int]
    files: dict[str, str]  # relative path -> sha256
    # The same for the build's restricted folder (the real personal data).
    restricted_files: dict[str, str] = field(default_factory=dict)


def write_manifest(lake: Path, manifest: Manifest) -> None:
    """Write the manifest with sorted keys, so equal builds give equal bytes."""
    text = json.dumps({"format": FORMAT, **asdict(manifest)}, indent=2, sort_keys=True)
    (lake / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read_manifest(lake: Path) -> Manifest:
    """The manifest of a built lake; ValueError if it is missing or not one we wrote."""
    path = lake / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} is missing: the lake was never built here") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    if data.pop("format", None) != FORMAT:
        raise ValueError(f"{path} was written by a different version of the build")
    try:
        return Manifest(**data)
    except TypeError as error:
        raise ValueError(f"{path} is incomplete: {error}") from None

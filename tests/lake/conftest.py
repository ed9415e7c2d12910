"""Shared lakes for the lake tests: a build takes seconds, so each is built once and shared.

Tests that only read use ``built_lake``. Anything that changes files builds its
own lake (see ``fresh_lake``) so the shared one stays exactly as built.
"""

from __future__ import annotations

import pytest

from app.lake.pipeline.build import BuildResult, build_lake


@pytest.fixture
def fresh_lake(tmp_path_factory: pytest.TempPathFactory):
    """A function that builds a new lake of one's own, for tests that change it."""

    def build(seed: int = 42, scale: int = 1) -> BuildResult:
        return build_lake(tmp_path_factory.mktemp("own") / "lake", seed=seed, scale=scale)

    return build

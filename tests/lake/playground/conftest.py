"""The playground tests' fake lake: one per test module, since their tests write scratch files."""

from __future__ import annotations

import pytest

from tests.lake.fakelake import FakeLake, build_lake


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> FakeLake:
    """A fake lake of the module's own: learners' tables from one module never meet another's."""
    return build_lake(tmp_path_factory.mktemp("fakelake") / "instance")

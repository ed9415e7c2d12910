"""Fixtures for the sandboxed executor's runs: a fake site, warm kernels, a checked runner."""

from __future__ import annotations

import pytest

from tests.grading import support


@pytest.fixture(scope="module")
def site():
    """The fake lake and instance folder, for the whole module."""
    with support.temporary_site() as made:
        yield made


@pytest.fixture(scope="module", params=["forked", "alone"])
def pool(site, request):
    """Warm bubblewrap kernels (fails on CI, skips elsewhere without bubblewrap): forked
    by the fork server, and each started on its own; every test that runs in them runs
    in both."""
    with support.warm_pool(site, fork_server=request.param == "forked") as kernels:
        yield kernels


@pytest.fixture
def run(site, pool, tmp_path):
    """Run cells in the bubblewrap sandbox and check nothing on the site changed."""
    with support.checked_runner(site, pool, tmp_path) as runner:
        yield runner

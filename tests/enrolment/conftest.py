"""Fixtures for the enrolment tests."""

import pytest

from tests.support import USING_POSTGRES


@pytest.fixture
def shared_app(make_app, tmp_path):
    """An app whose database every thread reaches through its own connection."""
    if USING_POSTGRES:
        application = make_app()
    else:
        application = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'race.sqlite'}")
    with application.app_context():
        yield application

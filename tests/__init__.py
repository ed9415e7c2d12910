"""The test suite; under pytest-xdist each worker first takes databases of its own."""

from tests.workers import isolate

isolate()

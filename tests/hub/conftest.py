"""The hub tests' fixtures, from tests/hub/live.py (shared with the browser journey)."""

from tests.hub.live import hub, hub_academy, hub_academy_settings  # noqa: F401 (fixtures)

"""The academy's hub client: what it asks for, and the clear errors when the hub fails."""

from __future__ import annotations

import pytest
import requests

from app.hub.client import HubClient, HubClients, HubError, HubUnavailable
from tests.hub.support import free_port


class FakeSession:
    """Stands in for requests.Session: records calls, answers or raises as told."""

    def __init__(self, answer):
        self.headers = {}
        self.calls = []
        self._answer = answer

    def request(self, method, url, timeout):
        self.calls.append((method, url, timeout))
        if isinstance(self._answer, Exception):
            raise self._answer
        return self._answer


def _response(status: int, body: bytes = b"{}") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    return response


def _client(answer) -> tuple[HubClient, FakeSession]:
    client = HubClient("http://hub.internal:8000/", "secret-token", timeout=3)
    session = FakeSession(answer)
    session.headers.update(client._session.headers)
    client._session = session
    return client, session


def test_the_client_calls_the_hubs_api_with_its_token_and_quotes_the_name():
    client, session = _client(_response(202))
    assert client.start_server("a@b.example") is False
    assert session.calls == [
        ("POST", "http://hub.internal:8000/hub/api/users/a%40b.example/server", 3)
    ]
    assert session.headers["Authorization"] == "token secret-token"


def test_started_and_stopped_servers_say_so():
    assert _client(_response(201))[0].start_server("a") is True
    assert _client(_response(400, b'{"message": "a is already running"}'))[0].start_server("a")
    assert _client(_response(204))[0].stop_server("a") is True
    assert _client(_response(202))[0].stop_server("a") is False


def test_an_unknown_learner_has_no_server():
    assert _client(_response(404))[0].server("a") is None
    running = b'{"name": "a", "servers": {"": {"ready": true}}}'
    assert _client(_response(200, running))[0].server("a") == {"ready": True}


@pytest.mark.parametrize(
    "failure",
    [requests.ConnectionError("refused"), requests.ConnectTimeout("slow"), requests.ReadTimeout()],
)
def test_a_hub_that_cannot_be_reached_is_a_clear_error(failure):
    client, _ = _client(failure)
    with pytest.raises(HubUnavailable, match="http://hub.internal:8000/hub/api"):
        client.start_server("a")


def test_a_failing_hub_is_unavailable_and_a_refusal_is_a_hub_error():
    with pytest.raises(HubUnavailable, match="failed \\(503\\)"):
        _client(_response(503, b"<html>"))[0].user("a")
    refused = _response(403, b'{"message": "Action is not authorized with current scopes"}')
    with pytest.raises(HubError, match="refused to start a's server \\(403\\): Action is not"):
        _client(refused)[0].start_server("a")


def test_a_hub_on_a_closed_port_is_unavailable(make_app):
    app = make_app(ACADEMY_HUB_URL=f"http://127.0.0.1:{free_port()}")
    client = HubClients.get(app)
    with pytest.raises(HubUnavailable, match="not reachable; is it running"):
        client.server("learner@academy.example")
    client.close()

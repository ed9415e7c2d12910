"""The academy's hub client: what it asks for, and the clear errors when the hub fails."""

from __future__ import annotations

import http.server
import re
import threading
import time

import pytest
import requests

from app.config import PROJECT_ROOT
from app.hub.client import (
    CONTENTS_METHODS,
    PROGRESS_PAUSE_SECONDS,
    HubClient,
    HubClients,
    HubError,
    HubUnavailable,
    ServerNotRunning,
    SpawnFailed,
    TokenRefused,
)
from tests.hub.support import free_port


class FakeSession:
    """Stands in for requests.Session: records calls, answers or raises as told."""

    def __init__(self, answer):
        self.headers = {}
        self.calls = []
        self.options = []
        self._answer = answer

    def request(self, method, url, timeout, **options):
        self.calls.append((method, url, timeout))
        self.options.append(options)
        if isinstance(self._answer, Exception):
            raise self._answer
        return self._answer


def _response(status: int, body: bytes = b"{}", headers: dict | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers or {})
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


CONTENTS = "http://hub.internal:8000/user/a@b.example/api/contents"


def test_contents_calls_go_through_the_proxy_to_the_learners_server():
    client, session = _client(_response(200, b'{"name": "x.ipynb", "size": 3}'))
    assert client.get_file("a@b.example", "exercises/x y.ipynb") == {"name": "x.ipynb", "size": 3}
    client.get_file("a@b.example", "exercises/x.ipynb", content=True)
    client.put_notebook("a@b.example", "exercises/x.ipynb", {"cells": []})
    client.make_directory("a@b.example", "exercises")
    client.rename("a@b.example", "exercises/x.ipynb", "exercises/y.ipynb")
    assert [(method, url) for method, url, _ in session.calls] == [
        ("GET", f"{CONTENTS}/exercises/x%20y.ipynb"),
        ("GET", f"{CONTENTS}/exercises/x.ipynb"),
        ("PUT", f"{CONTENTS}/exercises/x.ipynb"),
        ("PUT", f"{CONTENTS}/exercises"),
        ("PATCH", f"{CONTENTS}/exercises/x.ipynb"),
    ]
    assert session.options[0]["params"] == {"content": "0"}
    assert session.options[1]["params"] == {"type": "file", "format": "text", "content": "1"}
    assert session.options[2]["json"] == {
        "type": "notebook",
        "format": "json",
        "content": {"cells": []},
    }
    assert session.options[3]["json"] == {"type": "directory"}
    assert session.options[4]["json"] == {"path": "exercises/y.ipynb"}
    # A redirect would lead to the hub (a server that is not running): never followed.
    assert all(options["allow_redirects"] is False for options in session.options)


def test_the_lab_address_is_the_hubs_own_spelling_of_the_learner():
    client, _ = _client(_response(200))
    assert client.lab_url("a+b@c.example", "exercises/x (before reset 2026-12-02 07.45).ipynb") == (
        "http://hub.internal:8000/user/a%2Bb@c.example/lab/tree/"
        "exercises/x%20%28before%20reset%202026-12-02%2007.45%29.ipynb"
    )


def test_a_missing_file_is_none_and_other_refusals_are_errors():
    assert _client(_response(404))[0].get_file("a", "x.ipynb") is None
    with pytest.raises(HubError, match="refused to save x.ipynb \\(400\\): bad notebook"):
        _client(_response(400, b'{"message": "bad notebook"}'))[0].put_notebook("a", "x.ipynb", {})
    with pytest.raises(HubError, match="409"):
        _client(_response(409, b'{"message": "File exists"}'))[0].rename("a", "x.ipynb", "y.ipynb")


def test_a_403_from_the_learners_server_is_a_refused_token():
    with pytest.raises(TokenRefused, match="refused the academy's token"):
        _client(_response(403, b'{"message": "Forbidden"}'))[0].get_file("a", "x.ipynb")
    with pytest.raises(TokenRefused, match="refused to look up a"):
        _client(_response(403, b'{"message": "Missing or invalid credentials."}'))[0].user("a")


@pytest.mark.parametrize(
    "answer",
    [_response(302, b"", {"Location": "/hub/user/a/api/contents/x.ipynb"}), _response(424)],
)
def test_a_server_that_is_not_running_says_so(answer):
    with pytest.raises(ServerNotRunning):
        _client(answer)[0].get_file("a", "x.ipynb")


def test_a_start_the_hub_fails_is_a_failed_spawn_not_a_hub_that_is_down():
    with pytest.raises(SpawnFailed):
        _client(_response(500, b'{"message": "Internal Server Error"}'))[0].start_server("a")
    with pytest.raises(HubUnavailable):
        _client(_response(502))[0].start_server("a")


@pytest.mark.parametrize(
    "path", ["../b@c.example/x.ipynb", "/etc/passwd", "a//b", "a/./b", "", "a\\b"]
)
def test_paths_that_leave_the_workspace_are_never_sent(path):
    client, session = _client(_response(200))
    with pytest.raises(ValueError, match="not a path inside a workspace"):
        client.get_file("a", path)
    with pytest.raises(ValueError):
        client.rename("a", "x.ipynb", path)
    assert session.calls == []


def test_the_client_cannot_delete_a_learners_files():
    assert CONTENTS_METHODS == ("GET", "PUT", "PATCH")
    client, session = _client(_response(204))
    with pytest.raises(ValueError, match="never sends DELETE"):
        client._contents("DELETE", "a", "x.ipynb")
    assert session.calls == []
    names = [name for name in dir(HubClient) if not name.startswith("__")]
    assert not [n for n in names if any(w in n for w in ("delete", "remove", "unlink", "trash"))]


def test_no_code_sends_delete_but_to_stop_a_server():
    # Whatever is added later: the one DELETE the academy sends the hub stops a server,
    # and only the client speaks to learners' contents API.
    app_code = PROJECT_ROOT / "app"
    deletes = [
        line.strip()
        for path in (app_code / "hub").rglob("*.py")
        for line in path.read_text().splitlines()
        if re.search(r"[\"']DELETE[\"']", line)
    ]
    assert deletes == ['response = self._call("DELETE", f"/users/{quote(name, safe=\'\')}/server")']
    speakers = [p.name for p in app_code.rglob("*.py") if "/api/contents/" in p.read_text()]
    assert speakers == ["client.py"]


class StreamedResponse(requests.Response):
    """A response whose body arrives as lines, then pauses (a read timeout) or ends."""

    def __init__(self, status: int, lines: list[bytes], pause: bool) -> None:
        super().__init__()
        self.status_code = status
        self._lines, self._pause = lines, pause
        self.closed = False

    def iter_lines(self, *args, **kwargs):
        yield from self._lines
        if self._pause:
            raise requests.ConnectionError("Read timed out.")

    def close(self):
        self.closed = True


def test_progress_is_the_last_event_before_the_hub_pauses():
    events = [
        b'data: {"progress": 0, "message": "Server requested"}',
        b"",
        b"",
        b'data: {"progress": 50, "message": "Spawning server..."}',
    ]
    answer = StreamedResponse(200, events, pause=True)
    client, session = _client(answer)
    assert client.server_progress("a@b.example") == {
        "progress": 50,
        "message": "Spawning server...",
    }
    assert (
        session.calls[0][1]
        == "http://hub.internal:8000/hub/api/users/a%40b.example/server/progress"
    )
    assert session.options[0]["stream"] is True and answer.closed


def test_progress_stops_at_ready_or_failed_and_is_none_when_nothing_starts():
    ready = [b'data: {"progress": 100, "ready": true}', b'data: {"never": "read"}']
    assert _client(StreamedResponse(200, ready, pause=False))[0].server_progress("a") == {
        "progress": 100,
        "ready": True,
    }
    for status in (400, 404):
        assert _client(StreamedResponse(status, [], pause=False))[0].server_progress("a") is None


def test_a_hub_slow_to_answer_progress_means_no_event_yet_not_a_hub_that_is_down():
    # A real loopback server that takes longer than the pause to send its headers, as a busy
    # hub does: the pause bounds reading the stream, and must not turn into "did not answer".

    class SlowProgress(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(PROGRESS_PAUSE_SECONDS * 4)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b'data: {"progress": 50}\n\n')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowProgress)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = HubClient(f"http://127.0.0.1:{server.server_port}", "token", timeout=5)
        assert client.server_progress("a") is None
    finally:
        server.shutdown()
        server.server_close()


def test_starting_a_notebooks_kernel_asks_the_servers_sessions_api_for_the_academy_kernel():
    client, session = _client(_response(201))
    client.start_session("a@b.example", "exercises/x.ipynb")
    method, url, _ = session.calls[0]
    assert (method, url) == ("POST", "http://hub.internal:8000/user/a@b.example/api/sessions")
    assert session.options[0]["json"] == {
        "path": "exercises/x.ipynb",
        "name": "x.ipynb",
        "type": "notebook",
        "kernel": {"name": "academy"},
    }
    with pytest.raises(ServerNotRunning):
        _client(_response(503))[0].start_session("a", "exercises/x.ipynb")
    with pytest.raises(ValueError):
        client.start_session("a", "../elsewhere.ipynb")

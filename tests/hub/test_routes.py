"""The JupyterLab pages and buttons, with a hub in memory or a hub that is down.

The real hub's side of each flow is in test_lab_live.py; here, quickly, every branch of
the web edge: where each button leads, the messages, and that GET pages change nothing.
"""

from __future__ import annotations

import html
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.config import PROJECT_ROOT
from app.extensions import db
from app.grading.models import Submission
from app.hub.client import HubClients, ServerNotRunning, SpawnFailed, TokenRefused
from app.hub.lab import is_submit_cell, with_academy_kernel
from tests.factories import PASSWORD, make_module, make_user
from tests.grading.support import EXERCISE, EXERCISES, RecordingQueue, upload
from tests.hub.support import FakeHub, free_port

ANA = "ana@example.com"
PAGE = f"/exercises/{EXERCISE}"
COPY = f"exercises/{EXERCISE}.ipynb"
DOWN = (
    "The notebook server is not reachable right now; your files are safe. "
    "You can still download the starter and upload."
)


@pytest.fixture
def lab_app(make_app):
    """A site with the shipped exercises and lesson notebooks, grading into a recording queue."""

    def build(**settings):
        app = make_app(
            ACADEMY_EXERCISES_DIR=str(EXERCISES),
            ACADEMY_NOTEBOOKS_DIR=str(PROJECT_ROOT / "notebooks"),
            ACADEMY_BASE_URL="https://academy.example",
            **settings,
        )
        with app.app_context():
            make_module("SQ101")
            make_module("NB101")
            make_user(ANA)
        app.extensions["grading_queue"] = RecordingQueue()
        return app

    return build


@pytest.fixture
def hub(lab_app):
    """The site and its hub in memory, which knows Ana and has her server ready."""
    app = lab_app()
    fake = FakeHub()
    fake.add(ANA, {"ready": True, "pending": None})
    app.extensions["hub_client"] = fake
    fake.app = app
    return fake


def _signed_in(app):
    client = app.test_client()
    client.post("/login", data={"email": ANA, "password": PASSWORD})
    return client


def _flashed(client, response) -> str:
    """The page a failed action sends the learner back to, as text (entities decoded)."""
    assert response.status_code == 303, response.status_code
    return html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_the_exercise_page_offers_jupyterlab_beside_download_and_upload(hub):
    page = _signed_in(hub.app).get(PAGE).get_data(as_text=True)
    for text in ("Open in JupyterLab", "Submit my JupyterLab copy", "save it first"):
        assert text in page
    assert "Reset to starter" in page and "Download the starter" in page
    assert 'enctype="multipart/form-data"' in page  # upload stays
    anonymous = hub.app.test_client().get(PAGE).get_data(as_text=True)
    assert "Open in JupyterLab" not in anonymous and "Download the starter" in anonymous


def test_the_downloaded_starter_says_where_to_submit_as_the_jupyterlab_copy_does(hub):
    client = _signed_in(hub.app)
    downloaded = json.loads(client.get(f"{PAGE}/starter.ipynb").data)
    assert is_submit_cell(downloaded["cells"][0])
    assert f"https://academy.example{PAGE}" in downloaded["cells"][0]["source"]
    client.post(f"{PAGE}/lab")
    # The same notebook, naming the kernel JupyterLab has (a laptop's is python3).
    assert json.loads(hub.files[ANA, COPY]) == with_academy_kernel(downloaded)
    assert downloaded["metadata"]["kernelspec"]["name"] == "python3"


def test_a_module_with_a_lesson_notebook_offers_it_in_jupyterlab(hub):
    client = _signed_in(hub.app)
    assert "Open in JupyterLab" in client.get("/modules/NB101").get_data(as_text=True)
    assert "Open in JupyterLab" not in client.get("/modules/DP101").get_data(as_text=True)
    response = client.post("/modules/NB101/lab")
    assert response.status_code == 303
    assert (
        response.headers["Location"] == f"http://hub.test/user/{ANA}/lab/tree/lessons/nb101.ipynb"
    )
    lesson = json.loads((PROJECT_ROOT / "notebooks" / "nb101.ipynb").read_text())
    assert json.loads(hub.files[ANA, "lessons/nb101.ipynb"]) == with_academy_kernel(lesson)
    assert client.post("/modules/DP101/lab").status_code == 404
    assert client.post("/exercises/nope/lab").status_code == 404


def test_open_goes_to_the_copy_in_jupyterlab_and_never_overwrites_it(hub):
    client = _signed_in(hub.app)
    response = client.post(f"{PAGE}/lab")
    assert response.headers["Location"] == f"http://hub.test/user/{ANA}/lab/tree/{COPY}"
    hub.files[ANA, COPY] = "my work"
    assert client.post(f"{PAGE}/lab").status_code == 303
    assert hub.files[ANA, COPY] == "my work"


def test_a_learner_new_to_the_hub_goes_through_its_sign_in_and_back(hub):
    hub.users.clear()
    response = _signed_in(hub.app).post(f"{PAGE}/lab")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "http://127.0.0.1:8000/hub/academy-return"
    )
    assert parse_qs(location.query) == {"to": [f"{PAGE}/lab/starting?step=signed-in"]}


def test_back_from_the_hub_and_still_unknown_there_is_a_message_not_a_loop(hub):
    hub.users.clear()
    client = _signed_in(hub.app)
    page = _flashed(client, client.post(f"{PAGE}/lab", data={"step": "signed-in"}))
    assert "The notebook hub did not accept your sign-in" in page
    assert 'enctype="multipart/form-data"' in page


def test_while_the_server_starts_the_learner_sees_its_progress(hub):
    hub.add(ANA, None)
    hub.start = False
    client = _signed_in(hub.app)
    response = client.post(f"{PAGE}/lab")
    assert response.headers["Location"] == f"{PAGE}/lab/starting?step=started"
    hub.progress = {"progress": 50, "message": "Spawning server..."}
    before = len(hub.writes())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<progress id="lab-progress" max="100" value="50">' in page
    assert 'aria-live="polite">Spawning server...' in page and "lab.js" in page
    assert 'name="step" type="hidden" value="started"' in page
    assert '<noscript><meta http-equiv="refresh"' in page  # without JavaScript too
    status = client.get(f"{PAGE}/lab/status.json").get_json()
    assert status == {
        "state": "starting",
        "progress": 50,
        "message": "Spawning server...",
        "continue": False,
    }
    assert len(hub.writes()) == before  # looking changes nothing
    hub.users[ANA]["servers"][""] = {"ready": True, "pending": None}
    assert client.get(f"{PAGE}/lab/status.json").get_json()["continue"] is True
    done = client.post(f"{PAGE}/lab", data={"step": "started"})
    assert done.headers["Location"].endswith(f"/lab/tree/{COPY}")
    # The server has just started: the notebook's kernel is started while the browser goes.
    assert hub.writes()[-1] == ("start_session", ANA, COPY)


def test_a_running_server_is_left_to_start_its_kernel_and_a_failed_early_start_is_no_error(hub):
    client = _signed_in(hub.app)
    assert client.post(f"{PAGE}/lab").headers["Location"].endswith(f"/lab/tree/{COPY}")
    assert not [call for call in hub.calls if call[0] == "start_session"]
    hub.session = ServerNotRunning("gone")
    done = client.post(f"{PAGE}/lab", data={"step": "started"})
    assert done.headers["Location"].endswith(f"/lab/tree/{COPY}")  # JupyterLab starts it
    assert ("start_session", ANA, COPY) in hub.calls


def test_get_pages_never_copy_rename_or_start_anything(hub):
    hub.add(ANA, None)
    client = _signed_in(hub.app)
    for url in (PAGE, f"{PAGE}/lab/starting", f"{PAGE}/lab/status.json", "/modules/NB101"):
        assert client.get(url).status_code == 200, url
    assert hub.writes() == []
    assert client.get(f"{PAGE}/lab").status_code == 405


def test_a_step_the_pages_never_send_is_refused(hub):
    assert _signed_in(hub.app).post(f"{PAGE}/lab", data={"step": "jump"}).status_code == 400


def test_reset_keeps_the_old_copy_and_says_under_which_name(hub):
    hub.files[ANA, COPY] = "my work"
    client = _signed_in(hub.app)
    page = _flashed(client, client.post(f"{PAGE}/lab/reset"))
    kept = [path for _, path in hub.files if "before reset" in path]
    assert len(kept) == 1 and hub.files[ANA, kept[0]] == "my work"
    assert f"your previous copy is kept as {kept[0]}" in page
    assert json.loads(hub.files[ANA, COPY])["cells"][0]["metadata"]["academy"]["role"]


def test_submitting_the_copy_is_an_upload_of_the_saved_file(hub):
    hub.files[ANA, COPY] = '{"cells": [], "nbformat": 4}'
    client = _signed_in(hub.app)
    response = client.post(f"{PAGE}/lab/submit")
    assert response.status_code == 302 and "/submissions/" in response.headers["Location"]
    with hub.app.app_context():
        submission = db.session.scalar(select(Submission))
        assert submission.notebook == b'{"cells": [], "nbformat": 4}' and submission.attempt == 1
        assert hub.app.extensions["grading_queue"].sent == [submission.id]


def test_submitting_the_copy_counts_toward_the_same_limit_as_uploads(hub):
    hub.files[ANA, COPY] = '{"cells": []}'
    client = _signed_in(hub.app)
    for _ in range(hub.app.config["ACADEMY_SUBMISSIONS_PER_WINDOW"]):
        assert upload(client).status_code == 302
    page = client.get(client.post(f"{PAGE}/lab/submit").headers["Location"]).get_data(as_text=True)
    assert "You have submitted this exercise 5 times recently" in page


@pytest.mark.parametrize(
    ("arrange", "button", "message"),
    [
        (lambda hub: None, "submit", "You have no JupyterLab copy of this exercise yet"),
        (
            lambda hub: hub.add(ANA, None),
            "submit",
            "Your JupyterLab is not running: it stops after 30 idle minutes, and your work is kept",
        ),
        (lambda hub: hub.add(ANA, None), "reset", "Your JupyterLab is not running"),
        (
            lambda hub: hub.files.update({(ANA, COPY): "x" * (5 * 2**20 + 1)}),
            "submit",
            "Your JupyterLab copy is 5.0 MB; a submission may be at most 5 MB. Clear its outputs",
        ),
        (
            lambda hub: (hub.add(ANA, None), setattr(hub, "start", SpawnFailed("500", 500))),
            "",
            "Your notebook server did not start. Your files are safe.",
        ),
    ],
)
def test_each_failure_is_a_plain_message_on_the_exercise_page(hub, arrange, button, message):
    arrange(hub)
    client = _signed_in(hub.app)
    page = _flashed(client, client.post(f"{PAGE}/lab/{button}".rstrip("/")))
    assert message in page
    assert 'enctype="multipart/form-data"' in page and "Download the starter" in page


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (ServerNotRunning("gone", 424), "Your JupyterLab is not running"),
        (TokenRefused("403", 403), "The notebook server refused the academy's access"),
    ],
)
def test_a_contents_api_failure_while_copying_is_a_message(hub, failure, message, monkeypatch):
    def refuse(*args, **kwargs):
        raise failure

    monkeypatch.setattr(hub, "get_file", refuse)
    client = _signed_in(hub.app)
    page = _flashed(client, client.post(f"{PAGE}/lab"))
    assert message in page and 'enctype="multipart/form-data"' in page


def test_a_hub_that_is_down_gives_the_message_and_upload_still_works(lab_app):
    app = lab_app(ACADEMY_HUB_URL=f"http://127.0.0.1:{free_port()}")
    client = _signed_in(app)
    for button in ("", "/reset", "/submit"):
        page = _flashed(client, client.post(f"{PAGE}/lab{button}"))
        assert DOWN in page, button
        assert 'enctype="multipart/form-data"' in page
    page = _flashed(client, client.get(f"{PAGE}/lab/starting"))
    assert DOWN in page
    assert client.get(f"{PAGE}/lab/status.json").get_json()["continue"] is True
    lesson = _flashed(client, client.post("/modules/NB101/lab"))
    assert "not reachable right now" in lesson and "The lesson itself is still here" in lesson
    assert upload(client).status_code == 302  # and the upload went in
    HubClients.get(app).close()


def test_forms_may_lead_to_the_hub(hub):
    policy = _signed_in(hub.app).get(PAGE).headers["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:8000;" in policy

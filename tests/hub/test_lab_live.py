"""Open in JupyterLab and submit from the academy, against a real JupyterHub and its proxy.

Each test has learners of its own (the hub is shared by the module), and drives the
academy as a browser without JavaScript would: the forms, their CSRF tokens, the
starting page's status and its Continue button.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
import requests

from app.extensions import db
from app.grading.grader.notebooks import answer_id
from app.grading.models import Submission
from app.hub.client import HubClient, HubClients, TokenRefused
from app.hub.lab import is_submit_cell
from tests.factories import PASSWORD, make_user
from tests.grading.support import EXERCISE, EXERCISES
from tests.hub.support import CSRF, academy_session, free_port, hub_sign_in, wait_for

pytestmark = pytest.mark.slow

PAGE = f"/exercises/{EXERCISE}"
COPY = f"exercises/{EXERCISE}.ipynb"
MY_WORK = "answer_q2 = 'my own work, kept'"
STEP = re.compile(r'name="step" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def hub_academy_settings(built_lake):
    """Grade in the request that submits, against the shared sample lake."""
    return {"ACADEMY_GRADING_INLINE": True, "ACADEMY_LAKE_DIR": str(built_lake.lake)}


def _academy(app) -> str:
    return app.config["ACADEMY_BASE_URL"]


def _learner(app, hub, email: str, *, to_hub: bool = True) -> requests.Session:
    """A new learner signed in to the academy (and, unless told not to, to the hub)."""
    with app.app_context():
        make_user(email)
    session = academy_session(_academy(app), email, PASSWORD)
    if to_hub:
        hub_sign_in(session, hub)
    return session


def _post(session, app, path: str, data: dict | None = None, **options) -> requests.Response:
    """Press one of the academy's buttons: a POST with the session's CSRF token."""
    page = session.get(_academy(app) + PAGE, timeout=60).text
    form = {"csrf_token": CSRF.search(page).group(1), **(data or {})}
    return session.post(
        _academy(app) + path, data=form, allow_redirects=False, timeout=180, **options
    )


def _continue(session, app, path: str, starting: requests.Response) -> requests.Response:
    """What the starting page does: wait until its status says go on, then press Continue."""
    assert "<progress" in starting.text and 'aria-live="polite"' in starting.text
    status = f"{_academy(app)}{path}/status.json"
    assert wait_for(lambda: session.get(status, timeout=60).json()["continue"])
    return _post(session, app, path, {"step": STEP.search(starting.text).group(1)})


def _open(session, app, path: str = f"{PAGE}/lab") -> requests.Response:
    """Press Open in JupyterLab and follow the academy's pages until they lead elsewhere."""
    response = _post(session, app, path)
    for _ in range(5):
        location = urljoin(_academy(app), response.headers["Location"])
        if "/lab/starting" not in location:
            return response
        response = _continue(session, app, path, session.get(location, timeout=60))
    raise AssertionError("the open never got past the starting page")


def _lab_url(hub: str, email: str, path: str = COPY) -> str:
    return f"{hub}/user/{quote(email, safe='@~')}/lab/tree/{quote(path)}"


def _page_after(session, app, response: requests.Response) -> str:
    """The academy page a response redirects to, as text."""
    assert response.status_code in (302, 303), response.text[:300]
    target = urljoin(_academy(app), response.headers["Location"])
    return html.unescape(session.get(target, timeout=180).text)


def _source(cell: dict) -> str:
    """A cell's source, which a saved notebook splits into lines."""
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _text(client: HubClient, email: str, path: str) -> str:
    return client.get_file(email, path, content=True)["content"]


def test_open_starts_the_server_copies_the_starter_and_never_overwrites_it(hub_academy, hub):
    email = "opener@academy.example"
    session = _learner(hub_academy, hub, email)
    client = HubClients.get(hub_academy)
    assert client.server(email) is None
    opened = _open(session, hub_academy)
    assert opened.status_code == 303 and opened.headers["Location"] == _lab_url(hub, email)
    # The server was started for this open, so the copy's kernel is already booting.
    token = {"Authorization": f"token {hub_academy.config['ACADEMY_HUB_SERVICE_TOKEN']}"}
    sessions = requests.get(f"{client.user_url(email)}/api/sessions", headers=token, timeout=60)
    assert [(s["path"], s["kernel"]["name"]) for s in sessions.json()] == [(COPY, "academy")]
    copy = json.loads(_text(client, email, COPY))
    assert is_submit_cell(copy["cells"][0])
    assert f"{_academy(hub_academy)}{PAGE}" in "".join(copy["cells"][0]["source"])
    # The learner's browser reaches JupyterLab without signing in anywhere again.
    landed = session.get(opened.headers["Location"], timeout=180)
    assert landed.status_code == 200 and landed.url.startswith(f"{hub}/user/")
    assert not [r.url for r in landed.history if "/login" in r.url]
    # The learner saves their work; opening again keeps it.
    copy["cells"][-1]["source"] = MY_WORK
    client.put_notebook(email, COPY, copy)
    again = _open(session, hub_academy)
    assert again.headers["Location"] == _lab_url(hub, email)
    assert MY_WORK in _text(client, email, COPY)


def test_reset_keeps_the_edited_copy_under_a_dated_name_beside_a_fresh_starter(hub_academy, hub):
    email = "resetter@academy.example"
    session = _learner(hub_academy, hub, email)
    client = HubClients.get(hub_academy)
    _open(session, hub_academy)
    copy = json.loads(_text(client, email, COPY))
    copy["cells"][-1]["source"] = MY_WORK
    client.put_notebook(email, COPY, copy)
    kept_names = []
    for _ in range(2):  # twice in a row: the second never overwrites the first
        page = _page_after(session, hub_academy, _post(session, hub_academy, f"{PAGE}/lab/reset"))
        found = re.search(r"your previous copy is kept as (exercises/[^<]+\.ipynb)\.", page)
        assert found, page[page.find("flash") :][:500]
        kept_names.append(found.group(1))
    first, second = kept_names
    assert re.fullmatch(
        rf"exercises/{EXERCISE} \(before reset \d{{4}}-\d\d-\d\d \d\d\.\d\d\)\.ipynb", first
    )
    assert first != second
    assert MY_WORK in _text(client, email, first)  # the edited copy, kept
    assert MY_WORK not in _text(client, email, second)  # the fresh copy the first reset put
    fresh = json.loads(_text(client, email, COPY))
    assert MY_WORK not in json.dumps(fresh) and is_submit_cell(fresh["cells"][0])


def test_a_learner_new_to_the_hub_is_signed_in_there_by_itself_and_comes_back(hub_academy, hub):
    email = "newcomer@academy.example"
    session = _learner(hub_academy, hub, email, to_hub=False)
    academy = _academy(hub_academy)
    first = _post(session, hub_academy, f"{PAGE}/lab")
    assert first.status_code == 303
    assert first.headers["Location"].startswith(f"{hub}/hub/academy-return?to=")
    back = session.get(first.headers["Location"], timeout=180)
    visited = [r.url for r in back.history]
    assert any(url.startswith(f"{academy}/oauth/authorize") for url in visited)
    assert not [url for url in visited if url.startswith(f"{academy}/login")]  # no second sign-in
    assert back.url == f"{academy}{PAGE}/lab/starting?step=signed-in"
    response = _continue(session, hub_academy, f"{PAGE}/lab", back)
    for _ in range(3):  # then the start itself, with its own wait
        if "/lab/starting" not in response.headers["Location"]:
            break
        starting = session.get(urljoin(academy, response.headers["Location"]), timeout=60)
        response = _continue(session, hub_academy, f"{PAGE}/lab", starting)
    assert response.headers["Location"] == _lab_url(hub, email)
    assert HubClients.get(hub_academy).get_file(email, COPY) is not None


def test_the_hub_sends_browsers_back_to_the_academy_only(hub_academy, hub):
    session = _learner(hub_academy, hub, "returner@academy.example")
    back = f"{hub}/hub/academy-return"
    fine = session.get(back, params={"to": f"{PAGE}?x=1"}, allow_redirects=False, timeout=60)
    assert fine.status_code == 302
    assert fine.headers["Location"] == f"{_academy(hub_academy)}{PAGE}?x=1"
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example", ""):
        refused = session.get(back, params={"to": elsewhere}, allow_redirects=False, timeout=60)
        assert refused.status_code == 400, elsewhere
    stranger = requests.get(back, params={"to": PAGE}, allow_redirects=False, timeout=60)
    assert stranger.status_code == 302 and "/hub/login" in stranger.headers["Location"]


def test_a_lesson_notebook_opens_in_the_lessons_folder(hub_academy, hub):
    email = "reader@academy.example"
    session = _learner(hub_academy, hub, email)
    module_page = session.get(f"{_academy(hub_academy)}/modules/NB101", timeout=60).text
    assert "Open in JupyterLab" in module_page
    opened = _open(session, hub_academy, "/modules/NB101/lab")
    assert opened.headers["Location"] == _lab_url(hub, email, "lessons/nb101.ipynb")
    copy = json.loads(_text(HubClients.get(hub_academy), email, "lessons/nb101.ipynb"))
    shipped = json.loads((EXERCISES.parent / "notebooks" / "nb101.ipynb").read_text())
    assert [_source(c) for c in copy["cells"]] == [_source(c) for c in shipped["cells"]]


def _with_solution_answers(copy: dict) -> dict:
    solution = json.loads((EXERCISES / EXERCISE / "solution.ipynb").read_text())
    answers = {answer_id(cell): cell["source"] for cell in solution["cells"] if answer_id(cell)}
    for cell in copy["cells"]:
        if answer_id(cell) in answers:
            cell["source"] = answers[answer_id(cell)]
    return copy


def test_submit_my_copy_reads_the_saved_notebook_and_grades_it(hub_academy, hub):
    email = "submitter@academy.example"
    session = _learner(hub_academy, hub, email)
    client = HubClients.get(hub_academy)
    _open(session, hub_academy)
    client.put_notebook(email, COPY, _with_solution_answers(json.loads(_text(client, email, COPY))))
    saved = _text(client, email, COPY)
    response = _post(session, hub_academy, f"{PAGE}/lab/submit")
    assert "/submissions/" in response.headers["Location"]
    page = _page_after(session, hub_academy, response)
    assert "10.0 of 10.0 points: passed" in page, page[page.find("<main") :][:2000]
    submission_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with hub_academy.app_context():
        assert db.session.get(Submission, submission_id).notebook == saved.encode()


def _upload(session, app, data: bytes) -> requests.Response:
    page = session.get(_academy(app) + PAGE, timeout=60).text
    return session.post(
        f"{_academy(app)}{PAGE}/submissions",
        data={"csrf_token": CSRF.search(page).group(1)},
        files={"notebook": ("mine.ipynb", data, "application/x-ipynb+json")},
        allow_redirects=False,
        timeout=180,
    )


def test_submitting_from_jupyterlab_counts_toward_the_upload_limit(hub_academy, hub):
    email = "eager@academy.example"
    session = _learner(hub_academy, hub, email)
    _open(session, hub_academy)
    for _ in range(hub_academy.config["ACADEMY_SUBMISSIONS_PER_WINDOW"]):
        uploaded = _upload(session, hub_academy, b'{"cells": []}')
        assert "/submissions/" in uploaded.headers["Location"]
    refused = _post(session, hub_academy, f"{PAGE}/lab/submit")
    page = _page_after(session, hub_academy, refused)
    assert "You have submitted this exercise 5 times recently" in page


def test_submit_without_a_copy_says_so(hub_academy, hub):
    email = "empty-handed@academy.example"
    session = _learner(hub_academy, hub, email)
    client = HubClients.get(hub_academy)
    client.start_server(email)
    assert wait_for(lambda: (client.server(email) or {}).get("ready"))
    page = _page_after(session, hub_academy, _post(session, hub_academy, f"{PAGE}/lab/submit"))
    assert "You have no JupyterLab copy of this exercise yet" in page
    assert 'enctype="multipart/form-data"' in page  # upload still works


def test_submit_when_the_server_has_stopped_says_the_work_is_kept(hub_academy, hub):
    email = "idler@academy.example"
    session = _learner(hub_academy, hub, email)
    client = HubClients.get(hub_academy)
    _open(session, hub_academy)
    client.stop_server(email)
    assert wait_for(lambda: client.server(email) is None) is True
    page = _page_after(session, hub_academy, _post(session, hub_academy, f"{PAGE}/lab/submit"))
    assert "Your JupyterLab is not running: it stops after 30 idle minutes" in page
    assert "your work is kept" in page and 'enctype="multipart/form-data"' in page
    workspace = Path(hub_academy.config["ACADEMY_WORKSPACES_DIR"]) / email
    assert (workspace / COPY).is_file()  # nothing the academy did removed it


def test_a_server_that_fails_to_start_gives_a_message(hub_academy, hub):
    email = "blocked@academy.example"
    session = _learner(hub_academy, hub, email)
    # A file where the learner's workspace folder should be: the spawner cannot start.
    blocker = Path(hub_academy.config["ACADEMY_WORKSPACES_DIR"]) / email
    blocker.write_text("in the way")
    try:
        response = _open(session, hub_academy)
        page = _page_after(session, hub_academy, response)
    finally:
        blocker.unlink()
    assert "Your notebook server did not start. Your files are safe." in page
    assert 'enctype="multipart/form-data"' in page and "Download the starter" in page


def test_a_refused_token_gives_a_message(hub_academy, hub, monkeypatch):
    email = "refused@academy.example"
    session = _learner(hub_academy, hub, email)
    _open(session, hub_academy)
    wrong = HubClient(hub, "not-the-academys-token", timeout=30)
    with pytest.raises(TokenRefused, match="server refused the academy's token"):
        wrong.get_file(email, COPY)  # the learner's own server says no
    monkeypatch.setitem(hub_academy.extensions, "hub_client", wrong)
    page = _page_after(session, hub_academy, _post(session, hub_academy, f"{PAGE}/lab/submit"))
    wrong.close()
    assert "The notebook server refused the academy's access" in page
    assert 'enctype="multipart/form-data"' in page


def test_a_hub_that_is_down_gives_the_message(hub_academy, hub, monkeypatch):
    session = _learner(hub_academy, hub, "unlucky@academy.example")
    down = HubClient(f"http://127.0.0.1:{free_port()}", "token", timeout=5)
    monkeypatch.setitem(hub_academy.extensions, "hub_client", down)
    for button in ("", "/submit", "/reset"):
        page = _page_after(session, hub_academy, _post(session, hub_academy, f"{PAGE}/lab{button}"))
        assert "The notebook server is not reachable right now; your files are safe." in page
        assert 'enctype="multipart/form-data"' in page
    down.close()


def test_one_learner_cannot_reach_anothers_files(hub_academy, hub):
    a_email, b_email = "ada@academy.example", "bea@academy.example"
    ada, bea = _learner(hub_academy, hub, a_email), _learner(hub_academy, hub, b_email)
    client = HubClients.get(hub_academy)
    _open(bea, hub_academy)
    secret = json.loads(_text(client, b_email, COPY))
    secret["cells"][-1]["source"] = "answer_q1 = 'Bea only'"
    client.put_notebook(b_email, COPY, secret)
    ada.get(_open(ada, hub_academy).headers["Location"], timeout=180)  # Ada's own JupyterLab
    own = ada.get(f"{hub}/user/{a_email}/api/contents/{COPY}", timeout=60)
    assert own.status_code == 200  # Ada's credentials work on Ada's server...
    for path in (f"/user/{b_email}/api/contents/{COPY}", f"/user/{b_email}/lab"):
        other = ada.get(hub + path, timeout=60)
        assert other.status_code == 403, path  # ...and are refused on Bea's
        assert "Bea only" not in other.text
    # Nor does a path on Ada's own server lead out of her workspace, whoever asks.
    escape = f"{hub}/user/{a_email}/api/contents/..%2F{quote(b_email)}%2F{quote(COPY, safe='')}"
    service = requests.Session()
    service.headers["Authorization"] = f"token {hub_academy.config['ACADEMY_HUB_SERVICE_TOKEN']}"
    for requester in (ada, service):
        refused = requester.get(escape, allow_redirects=False, timeout=60)
        assert refused.status_code in (400, 403, 404) and "Bea only" not in refused.text
    service.close()
    with pytest.raises(ValueError):
        client.get_file(a_email, f"../{b_email}/{COPY}")  # and the academy never asks

"""The module page's instructors' kit (instructors and admins only) and lesson download."""

import nbformat
import pytest

from app.accounts.models import Role
from app.authoring.folder import load_folder
from app.authoring.sync import sync_courses
from app.catalogue.models import Module
from app.extensions import db
from tests.factories import course_text, make_user, write_course

KIT = """\
---
module: DP101
---
## Answer notes

1. The SECRET-ANSWER is forty-two. <script>alert(1)</script>

## Session plan

| minutes | what |
| --- | --- |
| 0-10 | talk |

### Live demo

Run it.

### Common questions

- **Why?** Because.
"""


@pytest.fixture
def kit_module(app, courses_dir):
    body = "Text.\n\n## Check your understanding\n\n1. What is the answer?\n"
    write_course(courses_dir, "dp101.md", course_text("DP101", body=body))
    (courses_dir / "kits").mkdir()
    (courses_dir / "kits" / "dp101.md").write_text(KIT)
    sync_courses(load_folder(courses_dir))
    db.session.commit()
    return db.session.scalar(db.select(Module).filter_by(code="DP101"))


def test_sync_stores_the_kit_rendered_and_sanitised(kit_module):
    assert "SECRET-ANSWER" in kit_module.kit_markdown
    assert "<table>" in kit_module.kit_html
    assert "<script>" not in kit_module.kit_html


def test_a_changed_kit_is_synced_again(kit_module, courses_dir):
    (courses_dir / "kits" / "dp101.md").write_text(KIT.replace("forty-two", "forty-three"))
    report = sync_courses(load_folder(courses_dir))
    db.session.commit()
    assert report.updated == ["DP101"]
    assert "forty-three" in db.session.get(Module, kit_module.id).kit_html


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ADMIN])
def test_instructors_and_admins_see_the_kit(client, auth, kit_module, role):
    user = make_user(role=role)
    auth.login(user.email)
    page = client.get("/modules/DP101").get_data(as_text=True)
    assert "Instructors&#39; kit" in page or "Instructors' kit" in page
    assert "SECRET-ANSWER" in page and "/modules/DP101/kit" in page
    alone = client.get("/modules/DP101/kit")
    assert alone.status_code == 200 and "SECRET-ANSWER" in alone.get_data(as_text=True)


@pytest.mark.parametrize("signed_in", [True, False])
def test_learners_never_see_the_kit_or_its_url(client, auth, kit_module, signed_in):
    if signed_in:
        auth.login(make_user(role=Role.LEARNER).email)
    page = client.get("/modules/DP101").get_data(as_text=True)
    assert "Body" in page or "Text." in page
    assert "SECRET-ANSWER" not in page
    assert "/modules/DP101/kit" not in page
    assert client.get("/modules/DP101/kit").status_code == 404


def _lesson(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("lake.sql('SELECT 1')")])
    (folder / "dp101.ipynb").write_text(nbformat.writes(notebook))
    return notebook


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_lesson_notebook_downloads_without_the_hub(
    client, auth, kit_module, tmp_path, signed_in
):
    notebook = _lesson(tmp_path)
    if signed_in:
        auth.login(make_user().email)
    page = client.get("/modules/DP101").get_data(as_text=True)
    assert "/modules/DP101/lesson.ipynb" in page
    response = client.get("/modules/DP101/lesson.ipynb")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ipynb+json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename=dp101.ipynb" in disposition
    assert nbformat.reads(response.get_data(as_text=True), as_version=4) == notebook


def test_no_lesson_no_download(client, kit_module):
    assert "lesson.ipynb" not in client.get("/modules/DP101").get_data(as_text=True)
    assert client.get("/modules/DP101/lesson.ipynb").status_code == 404
    assert client.get("/modules/NOPE101/lesson.ipynb").status_code == 404

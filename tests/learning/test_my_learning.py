"""The learner's own page, and the query counts of the busiest taking-part pages."""

import pytest

from app.accounts.models import Role
from app.demand.services import register_interest
from app.enrolment.services import enrol, override_enrol
from app.enrolment.sessions import book
from app.extensions import db
from app.nominations.services import nominate
from tests.factories import complete, make_module, make_session, make_user
from tests.support import count_queries


def test_my_learning_shows_every_part(client, auth, app):
    intro = make_module("DP101", personas=("analyst",), title="Intro")
    zones = make_module("DP102", personas=("analyst",), prerequisites=(intro,), title="Zones")
    joins = make_module("DM201", level=200, personas=("analyst",), prerequisites=(zones,))
    stub = make_module("DS301", level=300, planned=True, title="Modelling")
    sql = make_module("SQ101", title="SQL")
    ana = make_user("ana@example.com", persona="analyst")
    nina = make_user("nina@example.com", name="Nina")
    complete(ana, intro)
    enrol(ana, zones)
    override_enrol(ana, joins, make_user(role=Role.INSTRUCTOR, name="Tess"), "Knows joins")
    book(make_session(zones), ana)
    register_interest(ana, stub, "Please cover uplift")
    nominate(nina, "ana@example.com", sql, "Everyone should")
    db.session.commit()
    auth.login("ana@example.com")
    page = client.get("/learning").get_data(as_text=True)
    assert "Nina</strong> nominated you for" in page
    assert "You have a seat" in page
    assert "DP102 Zones" in page and "waived by Tess: “Knows joins”" in page
    assert page.index("Completed") < page.index("DP101 Intro")
    assert "Please cover uplift" in page
    suggested = page[page.index("Suggested next") :]
    assert "DP102" in suggested  # next on the analyst path


def test_my_learning_needs_sign_in(client):
    assert client.get("/learning").status_code == 302


def _world(scale: int):
    """Modules, learners, enrolments, bookings, interests and nominations, ``scale`` times."""
    teacher = make_user(role=Role.INSTRUCTOR)
    for i in range(scale):
        module = make_module(f"QQ{100 + i}", personas=("analyst",))
        stub = make_module(f"ZZ{300 + i}", level=300, planned=True)
        session = make_session(module, capacity=3)
        for j in range(scale):
            learner = make_user(f"w{i}-{j}@example.com")
            enrol(learner, module)
            book(session, learner)
            register_interest(learner, stub, f"note {j}")
            nominate(teacher, learner.email, module, "Go on")
    db.session.commit()


@pytest.mark.parametrize("url", ["/modules/DP101", "/learning", "/teach/demand", "/modules/DS301"])
def test_taking_part_pages_run_the_same_queries_however_much_data(client, auth, app, url):
    intro = make_module("DP101", personas=("analyst",))
    stub = make_module("DS301", level=300, planned=True)
    admin = make_user("admin@example.com", role=Role.ADMIN, persona="analyst")
    session = make_session(intro, capacity=1)
    book(session, make_user())
    book(session, admin)  # waitlisted
    register_interest(admin, stub, "mine")
    enrol(admin, intro)
    db.session.commit()
    auth.login("admin@example.com")
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _world(4)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), (small, large)

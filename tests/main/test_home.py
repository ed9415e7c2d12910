"""The home page."""

from tests.factories import complete, make_module, make_user


def test_home_explains_the_academy_to_visitors(client, app):
    make_module("DP101")
    make_module("DS301", level=300, planned=True)
    page = client.get("/").get_data(as_text=True)
    assert "Data Academy" in page
    assert "1 modules are ready and 1 more are planned" in page
    assert "Your next module" not in page


def test_home_suggests_the_next_module_on_the_learners_path(client, auth, app):
    intro = make_module("DP101", personas=("analyst",), title="Intro")
    make_module("DP102", personas=("analyst",), prerequisites=(intro,), title="Zones")
    learner = make_user("ana@example.com", persona="analyst")
    auth.login("ana@example.com")
    page = client.get("/").get_data(as_text=True)
    next_section = page[page.index("Your next module") :]
    assert "DP101" in next_section and "DP102" not in next_section
    complete(learner, intro)
    page = client.get("/").get_data(as_text=True)
    next_section = page[page.index("Your next module") :]
    assert "DP102" in next_section


def test_home_without_a_persona_says_so(client, auth, app):
    make_user("admin@example.com", persona=None)
    auth.login("admin@example.com")
    assert "has no persona yet" in client.get("/").get_data(as_text=True)

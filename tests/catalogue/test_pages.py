"""The catalogue, module and path pages, signed in and not."""

import pytest

from app.extensions import db
from tests.factories import complete, make_module, make_user
from tests.support import count_queries


@pytest.fixture
def curriculum(app):
    intro = make_module("DP101", personas=("analyst", "developer", "scientist"), title="Intro")
    zones = make_module("DP102", personas=("analyst",), prerequisites=(intro,), title="Zones")
    sql = make_module("SQ101", personas=("analyst", "product-manager"), prerequisites=(intro,))
    joins = make_module(
        "DM201", level=200, personas=("product-manager",), prerequisites=(zones, sql), title="Joins"
    )
    model = make_module(
        "DS301",
        level=300,
        personas=("scientist",),
        prerequisites=(joins,),
        planned=True,
        title="Modelling",
    )
    return {m.code: m for m in (intro, zones, sql, joins, model)}


def test_catalogue_groups_by_level(client, curriculum):
    page = client.get("/modules").get_data(as_text=True)
    assert page.index("100 · Foundations") < page.index("DP101") < page.index("200 · Practitioner")
    assert page.index("200 · Practitioner") < page.index("DM201") < page.index("300 · Advanced")
    assert "5 modules" in page


def test_catalogue_filters_by_persona_and_status(client, curriculum):
    page = client.get("/modules?persona=product-manager").get_data(as_text=True)
    assert "SQ101" in page and "DM201" in page
    assert "DP102" not in page and "DS301" not in page
    planned = client.get("/modules?status=planned").get_data(as_text=True)
    assert "DS301" in planned and "DP101" not in planned
    both = client.get("/modules?persona=scientist&status=published").get_data(as_text=True)
    assert "DP101" in both and "DS301" not in both


def test_catalogue_ignores_unknown_filters_with_a_message(client, curriculum):
    response = client.get("/modules?persona=wizard&status=lost")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Not a valid choice" in page
    assert "5 modules" in page


def test_retired_modules_leave_the_catalogue_but_keep_their_page(client, curriculum):
    from app.extensions import db

    curriculum["DP102"].status = "retired"
    db.session.commit()
    assert "DP102" not in client.get("/modules").get_data(as_text=True)
    page = client.get("/modules/DP102").get_data(as_text=True)
    assert "has been retired" in page


def test_module_page_shows_summary_outcomes_content_and_prerequisites(client, curriculum):
    from app.extensions import db

    curriculum["DM201"].outcomes = ["Join customer to stock"]
    db.session.commit()
    response = client.get("/modules/dm201")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "What DM201 teaches." in page
    assert "Join customer to stock" in page
    assert "<p>Body of DM201.</p>" in page
    assert 'href="/modules/DP102"' in page and 'href="/modules/SQ101"' in page
    assert "Sign in</a> to see which you have completed" in page
    assert 'href="/modules/DS301"' in page  # what it leads to


def test_prerequisites_are_ticked_for_the_signed_in_learner(client, auth, curriculum):
    learner = make_user("ana@example.com")
    complete(learner, curriculum["DP102"])
    auth.login("ana@example.com")
    page = client.get("/modules/DM201").get_data(as_text=True)
    done = page[page.index('class="done"') :]
    assert "DP102" in done[: done.index("</li>")]
    todo = page[page.index('class="todo"') :]
    assert "SQ101" in todo[: todo.index("</li>")]
    assert "(completed)" in page and "(not completed yet)" in page


def test_planned_module_says_it_is_planned(client, curriculum):
    page = client.get("/modules/DS301").get_data(as_text=True)
    assert "This module is planned" in page
    assert "badge-planned" in page


def test_unknown_module_is_a_404_page(client, curriculum):
    response = client.get("/modules/NOPE999")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_path_page_draws_the_graph(client, curriculum):
    response = client.get("/paths/product-manager")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<svg class="path-graph"' in page
    assert 'role="group" aria-labelledby="graph-title graph-desc"' in page
    # On the path: SQ101 and DM201; pulled in as prerequisites: DP101, DP102.
    for code in ("SQ101", "DM201", "DP101", "DP102"):
        assert f'data-code="{code}"' in page
    assert 'data-code="DS301"' not in page
    assert 'data-source="DP102" data-target="DM201"' in page
    assert 'class="node published offpath" data-code="DP102"' in page


def test_planned_modules_look_different_on_the_path(client, curriculum):
    page = client.get("/paths/scientist").get_data(as_text=True)
    assert 'class="node planned" data-code="DS301"' in page
    assert "DS301 · planned" in page


def test_path_marks_completed_modules_and_suggests_the_next(client, auth, curriculum):
    learner = make_user("pm@example.com", persona="product-manager")
    complete(learner, curriculum["DP101"])
    auth.login("pm@example.com")
    page = client.get("/paths/product-manager").get_data(as_text=True)
    assert 'completed" data-code="DP101"' in page
    next_line = page[page.index("Next for you") :]
    next_line = next_line[: next_line.index("</p>")]
    assert "DP102" in next_line and "SQ101" in next_line and "DM201" not in next_line


def test_unknown_persona_is_404(client):
    assert client.get("/paths/wizard").status_code == 404


def test_paths_index_lists_all_six(client):
    page = client.get("/paths").get_data(as_text=True)
    for slug in (
        "scientist",
        "analyst",
        "developer",
        "product-manager",
        "technical-support",
        "customer-development",
    ):
        assert f'href="/paths/{slug}"' in page


def _grow(extra: int, start: int) -> None:
    for i in range(start, start + extra):
        make_module(f"GR{i:03d}", level=200, personas=("analyst", "developer"), prerequisites=())


@pytest.mark.parametrize("url", ["/modules", "/modules/DM201", "/paths/analyst", "/"])
def test_query_counts_do_not_grow_with_the_curriculum(client, auth, curriculum, url):
    learner = make_user("ana@example.com")
    complete(learner, curriculum["DP101"])
    auth.login("ana@example.com")
    client.get(url)  # warm up
    db.session.remove()  # measure each request from a cold session, as in production
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _grow(30, 100)
    db.session.remove()
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), (small, large)
    assert len(small) <= 10

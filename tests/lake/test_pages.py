"""The lake's pages: zones, datasets, the glossary, the join finder and the playground."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.lake.dictionary import DATASETS, GLOSSARY
from app.lake.engine import playground_engine
from app.lake.models import PlaygroundQuery
from tests.factories import make_user


@pytest.fixture
def lake_app(make_app, built_lake, tmp_path):
    application = make_app(
        ACADEMY_LAKE_DIR=str(built_lake.lake),
        ACADEMY_SCRATCH_DIR=str(tmp_path / "scratch"),
    )
    with application.app_context():
        yield application
    playground_engine.close(application)


@pytest.fixture
def lake_client(lake_app):
    return lake_app.test_client()


def _sign_in(client, email="ana@example.com"):
    make_user(email)
    response = client.post("/login", data={"email": email, "password": "correct horse battery"})
    assert response.status_code == 302


def test_zones_page_lists_every_zone_and_dataset(lake_client):
    page = lake_client.get("/lake/").get_data(as_text=True)
    for zone in ("transient", "raw", "refined", "user", "trusted"):
        assert f'id="zone-{zone}"' in page
    for ds in DATASETS:
        assert f"<code>{ds.qualified_name}</code>" in page


def test_dataset_page_has_keys_columns_lineage_and_masked_samples(lake_client):
    page = lake_client.get("/lake/datasets/raw/responses").get_data(as_text=True)
    assert "personal data" in page
    assert "[restricted]" in page  # buyer_email is masked in the sample rows
    assert "@" not in page.split('id="sample-heading"')[1].split("</table>")[0]
    page = lake_client.get("/lake/datasets/trusted/response").get_data(as_text=True)
    assert '<svg class="path-graph"' in page and 'role="group"' in page
    assert 'data-code="trusted.response"' in page and "focus" in page
    assert 'data-source="refined.response" data-target="trusted.response"' in page
    assert '<code>response_id</code> <span class="badge badge-published">key</span>' in page


def test_unknown_dataset_is_404(lake_client):
    assert lake_client.get("/lake/datasets/trusted/nope").status_code == 404
    assert lake_client.get("/lake/datasets/secret/response").status_code == 404


def test_an_unbuilt_lake_says_so(make_app, tmp_path):
    app = make_app(ACADEMY_LAKE_DIR=str(tmp_path / "nothing"))
    page = app.test_client().get("/lake/datasets/trusted/response").get_data(as_text=True)
    assert "has not been built yet" in page


def test_glossary_defines_every_term_with_an_anchor(lake_client):
    page = lake_client.get("/lake/glossary").get_data(as_text=True)
    for name in (
        "Advert",
        "Response",
        "Bot-filtered",
        "Snapshot",
        "Append log",
        "Event stream",
        "Primary key",
        "Foreign key",
        "Stock",
        "Customer",
    ):
        assert f">{name}</dt>" in page, name
    assert 'id="append-log"' in page
    assert len(GLOSSARY) >= 10


def test_joins_page(lake_client):
    page = lake_client.get("/lake/joins?start=trusted.product&goal=trusted.response").get_data(
        as_text=True
    )
    assert "join" in page and "JOIN trusted.response" in page
    through_stock = lake_client.get("/lake/joins?start=trusted.stock&goal=trusted.response")
    text = through_stock.get_data(as_text=True)
    assert "Keep one day of each snapshot" in text
    assert "t0.snapshot_date = (SELECT max(snapshot_date) FROM trusted.stock)" in text
    assert "rows multiply" in text
    none = lake_client.get("/lake/joins?start=trusted.customer&goal=transient.stock_feed")
    assert "There is no chain of foreign keys" in none.get_data(as_text=True)
    bad = lake_client.get("/lake/joins?start=trusted.customer&goal=nope.nothing")
    assert "Not a valid choice" in bad.get_data(as_text=True)


def test_playground_needs_sign_in(lake_client):
    assert lake_client.get("/lake/playground").status_code == 302


def test_playground_runs_a_query_and_remembers_it(lake_client):
    _sign_in(lake_client)
    page = lake_client.get("/lake/playground?sql=SELECT+1").get_data(as_text=True)
    assert "SELECT 1</textarea>" in page
    response = lake_client.post(
        "/lake/playground",
        data={
            "sql": "SELECT region, count(*) AS n FROM trusted.customer GROUP BY region",
            "run": "Run",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert '<th scope="col">region' in page and " rows" in page
    (saved,) = db.session.scalars(select(PlaygroundQuery)).all()
    assert saved.error is None and saved.row_count > 0
    assert "GROUP BY region" in lake_client.get("/lake/playground").get_data(as_text=True)


def test_playground_shows_syntax_errors_with_their_position(lake_client):
    _sign_in(lake_client)
    page = lake_client.post(
        "/lake/playground",
        data={"sql": "SELECT *\nFROM trusted.customer\nWHER region = 'x'", "run": "Run"},
    ).get_data(as_text=True)
    assert 'role="alert"' in page
    assert "line 3" in page


def test_playground_refuses_escape_attempts_with_a_message(lake_client):
    _sign_in(lake_client)
    page = lake_client.post(
        "/lake/playground", data={"sql": "COPY (SELECT 1) TO '/tmp/x.csv'", "run": "Run"}
    ).get_data(as_text=True)
    assert 'role="alert"' in page and "COPY" in page


def test_playground_explain_and_csv(lake_client):
    _sign_in(lake_client)
    page = lake_client.post(
        "/lake/playground", data={"sql": "SELECT * FROM trusted.customer", "explain": "Explain"}
    ).get_data(as_text=True)
    assert 'class="plan"' in page
    response = lake_client.post(
        "/lake/playground",
        data={"sql": "SELECT customer_id FROM trusted.customer ORDER BY 1", "download": "CSV"},
    )
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "customer_id" and len(lines) > 10


def test_playground_form_errors(lake_client):
    _sign_in(lake_client)
    response = lake_client.post("/lake/playground", data={"sql": "", "run": "Run"})
    assert response.status_code == 400
    assert "This field is required" in response.get_data(as_text=True)

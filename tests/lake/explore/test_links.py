"""``[[glossary:Term]]`` links in course text: checked by ``academy check``, shown on hover."""

from app.catalogue.services import get_module
from tests.factories import course_text, write_course


def test_course_check_knows_glossary_terms(runner, courses_dir):
    write_course(
        courses_dir,
        "a.md",
        course_text("DP101", body="A [[glossary:Response]] is not a [[glossary:Page impression]]."),
    )
    result = runner.invoke(args=["academy", "check"])
    assert result.exit_code != 0
    assert "unknown glossary entry 'Page impression'" in result.output
    assert "Response" not in result.output.split("unknown glossary entry")[1]


def test_synced_glossary_links_show_the_definition_on_hover(runner, courses_dir, app):
    write_course(
        courses_dir, "a.md", course_text("DP101", body="Count each [[glossary:response]].")
    )
    assert runner.invoke(args=["academy", "sync"]).exit_code == 0
    html = get_module("DP101").body_html
    assert 'href="/lake/glossary#response"' in html and 'class="glossary-link"' in html
    assert 'title="' in html

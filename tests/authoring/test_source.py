"""Reading one course file: fields, defaults, and each authoring error with its line."""

from app.authoring.source import parse_text
from app.personas import SLUGS
from tests.factories import course_text


def messages(problems):
    return [(p.line, p.message) for p in problems]


def test_full_module_is_read():
    text = course_text(
        "DP201",
        level=200,
        personas="[Analyst, product manager, Customer Development]",
        prerequisites="[dp101]",
        body="# Hello\n\nBody text.\n",
        extra="outcomes:\n  - Join things\ninstructors: [a@b.c]\ndemand_threshold: 4\n"
        "duration: 2 hours\nexercises: [dp201-joins]\n",
    )
    module, problems = parse_text(text, "courses/dp201.md")
    assert problems == []
    assert module.code == "DP201"
    assert module.level == 200
    assert module.personas == ("analyst", "product-manager", "customer-development")
    assert module.prerequisites == ("DP101",)
    assert module.outcomes == ("Join things",)
    assert module.demand_threshold == 4
    assert module.duration == "2 hours"
    assert module.exercises == ("dp201-joins",)
    assert not module.is_stub
    assert module.body.startswith("# Hello")
    assert module.body_line == 15  # after the closing --- on line 14


def test_personas_all_and_missing_prerequisites_default_to_none():
    text = "---\ncode: DP101\ntitle: Intro\nlevel: 100\npersonas: all\nsummary: S\n---\n"
    module, problems = parse_text(text, "x.md")
    assert problems == []
    assert module.personas == SLUGS
    assert module.prerequisites == ()
    assert module.is_stub


def test_front_matter_without_body_is_a_stub_even_with_blank_lines():
    module, _ = parse_text(course_text("DP101", body="\n\n   \n"), "x.md")
    assert module.is_stub


def test_missing_required_fields_are_each_reported():
    module, problems = parse_text("---\ncode: DP101\n---\nBody\n", "courses/a.md")
    assert module is None
    found = messages(problems)
    for field in ("title", "level", "personas", "summary"):
        assert (1, f"missing required field `{field}`") in found
    assert all(p.path == "courses/a.md" for p in problems)


def test_unparsable_yaml_reports_its_line():
    text = "---\ncode: DP101\ntitle: [unclosed\nlevel: 100\n---\n"
    module, problems = parse_text(text, "a.md")
    assert module is None
    assert len(problems) == 1
    assert problems[0].line in (3, 4)
    assert "not valid YAML" in problems[0].message


def test_no_front_matter_and_unclosed_front_matter():
    _, problems = parse_text("# Just markdown\n", "a.md")
    assert "no YAML front matter" in problems[0].message
    _, problems = parse_text("---\ncode: DP101\n", "a.md")
    assert problems and problems[0].line == 1


def test_front_matter_that_is_not_a_mapping():
    _, problems = parse_text("---\n- a\n- b\n---\n", "a.md")
    assert "mapping" in problems[0].message


def test_unknown_persona_is_reported_on_its_line():
    module, problems = parse_text(course_text("DP101", personas="[Analyst, Wizard]"), "a.md")
    assert module is None
    (problem,) = problems
    assert problem.line == 5
    assert "unknown persona 'Wizard'" in problem.message


def test_level_must_be_100_200_or_300():
    module, problems = parse_text(course_text("DP101", level=150), "a.md")
    assert module is None
    assert messages(problems) == [(4, "`level` must be 100, 200 or 300, not 150")]


def test_bad_code_and_bad_threshold():
    text = course_text("101", extra="demand_threshold: -2\n")
    _, problems = parse_text(text, "a.md")
    found = " ".join(p.message for p in problems)
    assert "must be letters then three digits" in found
    assert "demand_threshold" in found


def test_unknown_field_is_a_warning_not_an_error():
    module, problems = parse_text(course_text("DP101", extra="colour: blue\n"), "a.md")
    assert module is not None
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].line == 8


def test_wrong_types_are_errors():
    _, problems = parse_text(course_text("DP101", extra="outcomes: {a: 1}\n"), "a.md")
    assert any("`outcomes` must be a list" in p.message for p in problems)


def test_problem_prints_as_path_line_message():
    _, problems = parse_text(course_text("DP101", level=7), "courses/x.md")
    assert str(problems[0]).startswith("courses/x.md:4: error: ")

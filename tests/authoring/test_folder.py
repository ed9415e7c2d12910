"""Rules that span course files: codes, prerequisites, cycles, levels and links."""

from app.authoring.folder import find_cycles, load_folder
from tests.factories import course_text, write_course


def errors(courses):
    return [(p.path, p.line, p.message) for p in courses.problems if p.severity == "error"]


def test_a_good_folder_has_no_problems(courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", body="Go to [[DP201]]."))
    write_course(courses_dir, "b.md", course_text("DP201", level=200, prerequisites="[DP101]"))
    write_course(courses_dir, "README.md", "Notes for authors, not a module.")
    write_course(courses_dir, "_draft.md", "Not a module either.")
    courses = load_folder(courses_dir)
    assert courses.problems == []
    assert courses.ok
    assert sorted(courses.by_code) == ["DP101", "DP201"]


def test_nested_folders_are_read(courses_dir):
    (courses_dir / "level-100").mkdir()
    write_course(courses_dir / "level-100", "a.md", course_text("DP101"))
    assert [m.path for m in load_folder(courses_dir).modules] == ["courses/level-100/a.md"]


def test_duplicate_codes_name_both_files(courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101"))
    write_course(courses_dir, "b.md", course_text("DP101"))
    courses = load_folder(courses_dir)
    assert errors(courses) == [
        ("courses/b.md", 2, "duplicate code DP101: also used by courses/a.md")
    ]
    assert not courses.ok


def test_unknown_prerequisite(courses_dir):
    write_course(courses_dir, "a.md", course_text("DP201", level=200, prerequisites="[XX101]"))
    assert errors(load_folder(courses_dir)) == [("courses/a.md", 7, "unknown prerequisite XX101")]


def test_prerequisite_above_the_module_level(courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", prerequisites="[DP301]"))
    write_course(courses_dir, "b.md", course_text("DP301", level=300))
    assert errors(load_folder(courses_dir)) == [
        ("courses/a.md", 7, "prerequisite DP301 is level 300, above this module's level 100")
    ]


def test_cycles_are_printed(courses_dir):
    write_course(courses_dir, "a.md", course_text("DP201", level=200, prerequisites="[DP202]"))
    write_course(courses_dir, "b.md", course_text("DP202", level=200, prerequisites="[DP203]"))
    write_course(courses_dir, "c.md", course_text("DP203", level=200, prerequisites="[DP201]"))
    found = errors(load_folder(courses_dir))
    assert found == [("courses/a.md", 7, "prerequisite cycle: DP201 -> DP202 -> DP203 -> DP201")]


def test_a_module_that_needs_itself_is_a_cycle(courses_dir):
    write_course(courses_dir, "a.md", course_text("DP101", prerequisites="[DP101]"))
    assert errors(load_folder(courses_dir)) == [
        ("courses/a.md", 7, "prerequisite cycle: DP101 -> DP101")
    ]


def test_find_cycles_reports_each_cycle_once():
    graph = {"A": ("B",), "B": ("A", "C"), "C": ("D",), "D": ("C",), "E": ()}
    assert find_cycles(graph) == [["A", "B", "A"], ["C", "D", "C"]]


def test_links_to_unknown_modules_give_the_body_line(courses_dir):
    body = "Intro\n\nSee [[DP101]] and [[ZZ999]].\n\n[old](/modules/QQ100)\n"
    write_course(courses_dir, "a.md", course_text("DP101", body=body))
    assert errors(load_folder(courses_dir)) == [
        ("courses/a.md", 11, "link to unknown module ZZ999 in [[ZZ999]]"),
        ("courses/a.md", 13, "link to unknown module QQ100 in /modules/QQ100"),
    ]


def test_unknown_link_kinds_and_registered_kinds(courses_dir):
    write_course(
        courses_dir, "a.md", course_text("DP101", body="[[glossary:Advert]] [[glossary:Nope]]")
    )
    assert "unknown link kind `glossary:`" in errors(load_folder(courses_dir))[0][2]
    courses = load_folder(courses_dir, {"glossary": lambda key: key == "Advert"})
    assert [e[2] for e in errors(courses)] == ["unknown glossary entry 'Nope' in [[glossary:Nope]]"]


def test_every_problem_in_every_file_is_reported(courses_dir):
    write_course(courses_dir, "a.md", "---\ncode: [oops\n---\n")
    write_course(courses_dir, "b.md", course_text("DP101", personas="[Druid]"))
    write_course(courses_dir, "c.md", course_text("DP102", level=400))
    write_course(courses_dir, "d.md", b"\xff\xfe not utf8".decode("latin-1"))
    (courses_dir / "e.md").write_bytes(b"\xff\xfe\x00bad")
    paths = sorted({p.path for p in load_folder(courses_dir).problems})
    assert paths == ["courses/a.md", "courses/b.md", "courses/c.md", "courses/d.md", "courses/e.md"]


def test_missing_folder_is_an_error(tmp_path):
    courses = load_folder(tmp_path / "nowhere")
    assert not courses.ok
    assert "does not exist" in courses.problems[0].message

"""Bodies render to safe HTML, and modules link to each other by code."""

import re

import pytest

from app.authoring.markdown import LinkTarget, ResolvedLink, find_links, render, sanitise


def resolver(target):
    if target.kind == "module" and target.key == "DP101":
        return ResolvedLink("/modules/DP101", "DP101 Intro", "The start")
    return None


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<div onclick="steal()">hi</div>',
        "<svg><script>alert(1)</script></svg>",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<style>body{display:none}</style>",
        '<form action="https://evil.example"><input name="password"></form>',
    ],
)
def test_nothing_that_can_run_survives(hostile):
    html = render(f"Before\n\n{hostile}\n\nAfter")
    lowered = html.lower()
    for tag in ("<script", "<iframe", "<style", "<form", "<input", "<svg"):
        assert tag not in lowered, html
    # Escaped text may mention these words; no attribute may carry them.
    attributes = " ".join(re.findall(r"<[a-z][^>]*>", lowered))
    for bad in ("onerror", "onclick", "javascript:", "data:"):
        assert bad not in attributes, html
    assert "After" in html


def test_ordinary_markdown_renders():
    html = render("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sql\nSELECT 1\n```\n")
    assert "<h2>Title</h2>" in html  # the page title is the only <h1>
    assert "<table>" in html
    assert '<pre tabindex="0"><code class="language-sql">' in html  # scrollable: focusable


def test_external_links_get_noopener():
    html = render("[docs](https://duckdb.org)")
    assert 'rel="noopener noreferrer"' in html


def test_wikilinks_resolve_to_module_pages_with_title():
    html = render("Start with [[DP101]] or [[dp101|the intro]].", resolver)
    assert '<a href="/modules/DP101" class="module-link" title="The start"' in html
    assert ">DP101 Intro</a>" in html
    assert ">the intro</a>" in html


def test_unresolved_wikilink_is_marked_not_linked():
    html = render("See [[XX999]].", resolver)
    assert '<span class="broken-link">XX999</span>' in html
    assert "href" not in html


def test_wikilink_label_is_escaped():
    html = render('[[DP101|<b onmouseover="x">hi</b>]]', resolver)
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover" in html


def test_find_links_reports_lines_and_kinds():
    body = "Intro line\n\nSee [[DP101]] and\nthen [[glossary:Response]].\n\n[x](/modules/sq101)\n"
    links = list(find_links(body))
    assert [(link.line, link.target) for link in links] == [
        (2, LinkTarget("module", "DP101")),
        (3, LinkTarget("glossary", "Response")),
        (5, LinkTarget("module", "SQ101")),
    ]


def test_links_inside_code_are_not_links():
    assert list(find_links("```\n[[XX999]]\n```\n\n`[[YY999]]`\n")) == []


def test_sanitise_keeps_safe_markup():
    assert sanitise("<p><strong>bold</strong> <em>it</em></p>") == (
        "<p><strong>bold</strong> <em>it</em></p>"
    )

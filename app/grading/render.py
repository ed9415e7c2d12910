"""An executed notebook as safe HTML, with the cells that failed marked."""

from __future__ import annotations

import base64
import re
from html import escape

from markupsafe import Markup

from app.authoring.markdown import render as render_markdown
from app.authoring.markdown import sanitise

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MAX_TEXT = 20_000


def _text(value) -> str:
    text = "".join(value) if isinstance(value, list) else str(value or "")
    text = _ANSI.sub("", text)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "\n… (cut)"


def _output(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        name = escape(output.get("name", "stdout"))
        return f'<pre class="out out-{name}">{escape(_text(output.get("text")))}</pre>'
    if kind == "error":
        trace = "\n".join(_text(line) for line in output.get("traceback", [])) or (
            f"{output.get('ename')}: {output.get('evalue')}"
        )
        return f'<pre class="out out-error">{escape(trace)}</pre>'
    data = output.get("data", {})
    if "image/png" in data:
        png = "".join(data["image/png"]).replace("\n", "")
        try:
            base64.b64decode(png, validate=True)
        except ValueError:
            return ""
        return f'<img class="out" alt="Plot output" src="data:image/png;base64,{png}">'
    if "text/html" in data:
        return f'<div class="out out-html">{sanitise(_text(data["text/html"]))}</div>'
    if "text/plain" in data:
        return f'<pre class="out">{escape(_text(data["text/plain"]))}</pre>'
    return ""


def render_notebook(notebook: dict, failed: set[int]) -> Markup:
    """Each cell in order: Markdown rendered and sanitised, code with its outputs."""
    parts = []
    for index, cell in enumerate(notebook.get("cells", [])):
        source = _text(cell.get("source"))
        if cell.get("cell_type") == "markdown":
            parts.append(f'<div class="nb-cell nb-markdown">{render_markdown(source)}</div>')
            continue
        if cell.get("cell_type") != "code":
            continue
        failing = index in failed
        label = '<p class="nb-fail">This cell raised an error.</p>' if failing else ""
        outputs = "".join(_output(o) for o in cell.get("outputs", []))
        parts.append(
            f'<div class="nb-cell nb-code{" nb-failed" if failing else ""}" id="cell-{index}">'
            f'{label}<pre class="nb-source" tabindex="0"><code>{escape(source)}</code></pre>'
            f"{outputs}</div>"
        )
    return Markup("".join(parts))

"""A graded kernel (the bubblewrap sandbox) sees masks, and no plaintext anywhere it can read."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from app.grading.sandbox.cells import lake_source
from app.grading.sandbox.contract import Limits
from app.grading.sandbox.execute import execute
from app.lake.pipeline.database import open_lake
from app.lake.pipeline.restrict import restricted_folder

# No skip without bubblewrap: the sandbox is required, as for every kernel test.
pytestmark = pytest.mark.slow

SEARCH = """
import os, json
needle = {needle!r}.encode()
roots = ['/lake', {build!r}, {builds!r}, {restricted!r}]
found, read, refused = [], 0, []
for root in roots:
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                with open(path, 'rb') as handle:
                    data = handle.read()
            except OSError:
                continue
            read += 1
            if needle in data:
                found.append(path)
try:
    os.listdir({restricted!r})
except OSError as error:
    refused.append(type(error).__name__)
print(json.dumps({{'found': found, 'read': read, 'refused': refused}}))
"""


def _outputs(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def test_a_graded_kernel_sees_masks_and_finds_no_plaintext(built_lake):
    restricted = restricted_folder(built_lake.lake)
    with open_lake(restricted) as con:
        email = con.execute(
            "SELECT buyer_email FROM raw.responses WHERE buyer_email LIKE '%@%' LIMIT 1"
        ).fetchone()[0]
    build = built_lake.build.resolve()
    query = (
        'print(lake.execute("SELECT DISTINCT buyer_email, contact_email FROM raw.responses, '
        "(SELECT contact_email FROM raw.customers LIMIT 1) WHERE buyer_email <> ''\").fetchall())"
    )
    search = SEARCH.format(
        needle=email, build=str(build), builds=str(build.parent), restricted=str(restricted)
    )
    notebook = new_notebook(cells=[new_code_cell(query), new_code_cell(search)])
    with tempfile.TemporaryDirectory() as work:
        result = execute(
            notebook,
            lake_dir=Path(built_lake.lake).resolve(),
            work_dir=Path(work),
            limits=Limits(cell_seconds=120, total_seconds=300, memory_mb=1024),
            setup_source=lake_source(1024),
            export_source="pass",
        )
    assert result.status == "completed" and not result.failed_cells, result.message
    cells = [c for c in result.notebook.cells if c.get("outputs")]
    assert _outputs(cells[-2]).strip() == "[('[restricted]', '[restricted]')]"
    report = json.loads(_outputs(cells[-1]).strip().splitlines()[-1])
    assert report["read"] > 100  # the lake's files were there to search
    assert report["found"] == []
    assert report["refused"] == ["FileNotFoundError"]

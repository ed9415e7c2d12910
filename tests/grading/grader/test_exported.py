"""Reading the answers a kernel exported: every file is treated as forged until proven plain."""

from __future__ import annotations

from app.grading.grader.exported import DONE_FILE, read_answer, read_answers


def test_the_reader_refuses_links_forged_json_and_big_files(simple_exercise, tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / DONE_FILE).write_text("{}")
    secret = tmp_path / "secret_key"
    secret.write_text('{"kind": "value", "value": "hunter2"}')
    (folder / "q1.json").symlink_to(secret)
    (folder / "q2.json").write_text('{"kind": "value", "value": NaN}')
    answers = read_answers(folder, simple_exercise)
    assert answers["q1"].kind == "invalid" and "hunter2" not in answers["q1"].reason
    assert answers["q2"].kind == "invalid"
    (folder / "q2.json").write_text('{"kind": "value", "value": "' + "x" * 2**21 + '"}')
    assert "too big" in read_answer(folder, "q2").reason
    (folder / "q2.json").unlink()
    (folder / "q2.parquet").write_bytes(b"PAR1 not really")
    assert read_answer(folder, "q2").reason == "the exported table could not be read"


def test_without_the_done_marker_nothing_counts_as_exported(simple_exercise, tmp_path):
    (tmp_path / "q1.json").write_text('{"kind": "value", "value": "SELECT 1"}')
    assert {a.kind for a in read_answers(tmp_path, simple_exercise).values()} == {"not_exported"}
    assert {a.kind for a in read_answers(None, simple_exercise).values()} == {"not_exported"}

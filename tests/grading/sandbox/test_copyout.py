"""Copying exported answers out of a kernel: regular files only, no links, size-capped."""

from __future__ import annotations

import os
from pathlib import Path

from app.grading.sandbox.copyout import copy_answers


def test_copy_answers_keeps_regular_files_only(tmp_path: Path):
    """Links, FIFOs, folders, odd names and oversized files never reach the grader."""
    source, dest = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    secret = tmp_path / "secret_key"
    secret.write_text("do not read")
    (source / "q1.json").write_text("42")
    (source / "link.json").symlink_to(secret)
    os.mkfifo(source / "pipe.json")
    (source / "folder").mkdir()
    (source / "big.bin").write_bytes(b"x" * 2048)
    (source / ".hidden").write_text("x")

    notes = copy_answers(source, dest, max_bytes=1024, max_files=10)

    assert sorted(p.name for p in dest.iterdir()) == ["q1.json"]
    assert (dest / "q1.json").read_text() == "42"
    joined = " ".join(notes)
    for name in ("link.json", "pipe.json", "folder", "big.bin", ".hidden"):
        assert name in joined


def test_copy_answers_caps_the_number_of_files(tmp_path: Path):
    source = tmp_path / "in"
    source.mkdir()
    for i in range(5):
        (source / f"q{i}.txt").write_text(str(i))
    notes = copy_answers(source, tmp_path / "out", max_bytes=100, max_files=3)
    assert len(list((tmp_path / "out").iterdir())) == 3
    assert notes == ["only the first 3 of 5 answer files were kept"]


def test_copy_answers_without_a_source_makes_an_empty_folder(tmp_path: Path):
    assert copy_answers(None, tmp_path / "out", 10, 10) == []
    assert copy_answers(tmp_path / "missing", tmp_path / "out", 10, 10) == []
    assert list((tmp_path / "out").iterdir()) == []

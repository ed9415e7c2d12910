"""Swapping builds in: one rename, the previous build kept, older ones removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.lake.pipeline.files import MANIFEST
from app.lake.pipeline.publish import (
    LakeError,
    build_lock,
    builds_folder,
    current_build,
    discard,
    new_build,
    publish,
)


def fake_build(target: Path, label: str) -> Path:
    """A build folder holding one file that says which build it is."""
    builds_folder(target).mkdir(parents=True, exist_ok=True)
    folder = new_build(target)
    (folder / MANIFEST).write_text(label)
    return folder


def test_publish_points_the_lake_at_the_build(tmp_path):
    target = tmp_path / "lake"
    build = fake_build(target, "first")
    publish(target, build)
    assert target.is_symlink()
    assert (target / MANIFEST).read_text() == "first"
    assert current_build(target) == build.resolve()
    # A relative link keeps working if the parent folder is moved.
    assert not os.path.isabs(os.readlink(target))


def test_the_previous_build_is_kept_and_older_ones_removed(tmp_path):
    target = tmp_path / "lake"
    first = fake_build(target, "1")
    publish(target, first)
    second = fake_build(target, "2")
    publish(target, second)
    assert first.is_dir()
    third = fake_build(target, "3")
    publish(target, third)
    assert (target / MANIFEST).read_text() == "3"
    assert second.is_dir() and not first.exists()
    assert not [p for p in builds_folder(target).iterdir() if p.name.startswith("link-")]


def test_a_lake_in_a_plain_folder_is_adopted_as_the_previous_build(tmp_path):
    target = tmp_path / "lake"
    target.mkdir()
    (target / MANIFEST).write_text("old")
    publish(target, fake_build(target, "new"))
    assert (target / MANIFEST).read_text() == "new"
    kept = [p for p in builds_folder(target).iterdir() if p.is_dir()]
    assert sorted((p / MANIFEST).read_text() for p in kept) == ["new", "old"]


def test_a_folder_that_is_not_a_lake_is_never_replaced(tmp_path):
    target = tmp_path / "lake"
    target.mkdir()
    (target / "thesis.docx").write_text("precious")
    with pytest.raises(LakeError, match="not a lake"):
        publish(target, fake_build(target, "new"))
    assert (target / "thesis.docx").read_text() == "precious"


def test_an_empty_folder_makes_way(tmp_path):
    target = tmp_path / "lake"
    target.mkdir()
    publish(target, fake_build(target, "new"))
    assert (target / MANIFEST).read_text() == "new"


def test_only_one_build_at_a_time(tmp_path):
    target = tmp_path / "lake"
    with build_lock(target), pytest.raises(LakeError, match="another build"), build_lock(target):
        pass
    with build_lock(target):  # released again
        pass


def test_leftovers_of_an_interrupted_build_are_removed_at_the_next_publish(tmp_path):
    target = tmp_path / "lake"
    crashed = fake_build(target, "killed half way")
    publish(target, fake_build(target, "good"))
    assert not crashed.exists()


def test_discard_removes_a_failed_build(tmp_path):
    build = fake_build(tmp_path / "lake", "broken")
    discard(build)
    assert not build.exists()

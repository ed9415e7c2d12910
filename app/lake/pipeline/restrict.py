"""The restricted tier: personal data masked in the lake learners mount, kept whole beside it.

A build writes every delivery with its real values, refines from them (the
pseudonyms and the burst flags need the real senders), then splits the
datasets that hold restricted columns: the real files move to the build's
*restricted folder*, a sibling of the build folder (``build-xxxx.restricted``),
and the build keeps copies whose restricted columns read ``[restricted]``.

Why a sibling and not a sub-folder: every sandbox (graded kernels, learners'
JupyterLab kernels, playground workers) mounts or may read the whole build
folder, so the only place plaintext is safe from a learner's Python is a
folder none of them is given. The restricted folder looks like a lake of its
own: a ``lake.duckdb`` whose views read the real files for restricted datasets
and the build's files for everything else, so a granted reader opens it
exactly as the lake itself (with ``follow_views``).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import duckdb

from app.grading.sandbox.contract import RESTRICTED_GID
from app.lake.dictionary import DATASETS, MASK, Dataset, restricted_datasets
from app.lake.pipeline.database import create_schemas, create_view
from app.lake.pipeline.files import DATABASE

SUFFIX = ".restricted"


def restricted_folder(build: Path) -> Path:
    """The restricted folder of a build folder (or of a lake link, through the link)."""
    resolved = Path(os.path.realpath(build))
    return resolved.with_name(resolved.name + SUFFIX)


def build_of(restricted: Path) -> Path:
    """The build folder a restricted folder belongs to (whose files its views read)."""
    if not restricted.name.endswith(SUFFIX):
        raise ValueError(f"{restricted} is not a build's restricted folder")
    return restricted.with_name(restricted.name.removesuffix(SUFFIX))


def restricted_link(target: Path) -> Path:
    """The stable link beside the lake's own that points at its restricted folder."""
    target = Path(os.path.abspath(target))
    return target.with_name(target.name + SUFFIX)


def dataset_files(lake: Path, ds: Dataset) -> list[Path]:
    """Every delivered file of one raw or transient dataset in a lake or restricted folder."""
    folder = lake / ds.zone / ds.name
    return sorted(p for p in folder.rglob(f"*.{ds.file_format}") if p.is_file())


def mask_value(value: str | None) -> str | None:
    """The masked form of one value: missing stays missing, anything else reads [restricted]."""
    return value if value is None or value == "" else MASK


def mask_file(source: Path, target: Path, restricted: tuple[str, ...], file_format: str) -> None:
    """Write ``source`` to ``target`` with the ``restricted`` columns masked, bytes otherwise alike.

    The files were written by ``files.write_rows``; reading and writing them the
    same way keeps key order, quoting and line ends, so masking is repeatable.
    """
    with source.open(encoding="utf-8", newline="") as inp:
        text = inp.read()
    with target.open("w", encoding="utf-8", newline="") as out:
        if file_format == "json":
            # Split on newlines only: str.splitlines would also split inside a value.
            for line in filter(None, text.split("\n")):
                row = json.loads(line)
                for name in restricted:
                    if name in row:
                        row[name] = mask_value(row[name])
                out.write(json.dumps(row, ensure_ascii=False))
                out.write("\n")
        else:
            rows = csv.reader(io.StringIO(text, newline=""))
            header = next(rows)
            masked = {i for i, name in enumerate(header) if name in restricted}
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(mask_value(v) if i in masked else v for i, v in enumerate(row))


def split_restricted(build: Path) -> Path:
    """Move the real files of restricted datasets aside and leave masked copies in ``build``."""
    folder = restricted_folder(build)
    folder.mkdir(mode=0o750)  # never world-readable, unlike the build beside it
    if os.geteuid() == 0:
        # Root runs learners' kernels as uids of their own: a granted learner's run in
        # this group, the only one (with the owner) that may open the folder.
        os.chown(folder, -1, RESTRICTED_GID)
    for ds in restricted_datasets():
        for path in dataset_files(build, ds):
            real = folder / path.relative_to(build)
            real.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, real)
            mask_file(real, path, ds.restricted_columns, ds.file_format)
    write_restricted_database(build, folder)
    return folder


def write_restricted_database(build: Path, folder: Path) -> None:
    """The restricted folder's lake.duckdb: real files for restricted datasets, the build's else."""
    restricted = {ds.qualified_name for ds in restricted_datasets()}
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(folder / DATABASE)) as con:
        con.execute("SET TimeZone = 'UTC'")
        create_schemas(con)
        for ds in DATASETS:
            create_view(con, folder if ds.qualified_name in restricted else build, ds)

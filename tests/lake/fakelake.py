"""Test support: a tiny fake lake for the playground tests (checked by test_fakelake.py).

Built with plain DuckDB in a fake instance folder, so the playground's tests do
not depend on the lake pipeline. Test modules import from here, never from
one another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from app.lake.playground.types import PlaygroundSettings

SECRET = "fake-secret-key-do-not-leak"
ZONES = ("transient", "raw", "refined", "user", "trusted")


@dataclass(frozen=True)
class FakeLake:
    """Paths of a fake instance folder: a secret key, the lake, and the scratch files."""

    instance: Path

    @property
    def lake_dir(self) -> Path:
        """The lake directory (lake.duckdb and the zone folders)."""
        return self.instance / "lake"

    @property
    def scratch_dir(self) -> Path:
        """The learners' scratch files."""
        return self.instance / "scratch"

    @property
    def secret_file(self) -> Path:
        """A stand-in for the app's instance secret key, beside the lake."""
        return self.instance / "secret_key"

    def settings(self, **overrides) -> PlaygroundSettings:
        """Playground settings for this lake (short limits suit tests)."""
        return PlaygroundSettings(lake_dir=self.lake_dir, scratch_dir=self.scratch_dir, **overrides)

    def fingerprint(self, *learners: str) -> dict[str, str]:
        """sha256 of every lake file, the secret key and the named learners' scratch files."""
        files = [p for p in self.lake_dir.rglob("*") if p.is_file()] + [self.secret_file]
        files += [p for k in learners for p in self.scratch_dir.glob(f"{k}.duckdb*")]
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


def build_lake(instance: Path) -> FakeLake:
    """Write raw/x/x.csv, refined/y/y.parquet, trusted/advert/advert.parquet and lake.duckdb."""
    lake = FakeLake(instance)
    for folder in ("raw/x", "refined/y", "trusted/advert", "transient"):
        (lake.lake_dir / folder).mkdir(parents=True, exist_ok=True)
    lake.scratch_dir.mkdir(parents=True, exist_ok=True)
    lake.secret_file.write_text(SECRET)
    root = lake.lake_dir
    (root / "raw/x/x.csv").write_text("id,name\n1,alpha\n2,beta\n3,gamma\n")
    with duckdb.connect(str(root / "lake.duckdb")) as con:
        con.execute(
            f"COPY (SELECT range::BIGINT AS id, range * 2.5 AS v FROM range(1, 11)) "
            f"TO '{root}/refined/y/y.parquet' (FORMAT parquet)"
        )
        con.execute(
            "COPY (SELECT range AS advert_id, range % 3 + 1 AS id, 'Advert ' || range AS title, "
            "TIMESTAMP '2024-01-01' + INTERVAL (range) DAY AS posted FROM range(20)) "
            f"TO '{root}/trusted/advert/advert.parquet' (FORMAT parquet)"
        )
        for zone in ZONES:
            con.execute(f"CREATE SCHEMA {zone}")
        con.execute(f"CREATE VIEW raw.x AS SELECT * FROM read_csv('{root}/raw/x/x.csv')")
        con.execute(
            f"CREATE VIEW refined.y AS SELECT * FROM read_parquet('{root}/refined/y/y.parquet')"
        )
        con.execute(
            "CREATE VIEW trusted.advert AS SELECT * FROM "
            f"read_parquet('{root}/trusted/advert/advert.parquet')"
        )
    return lake

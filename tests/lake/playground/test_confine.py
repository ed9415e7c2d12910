"""The worker's Landlock confinement, with the statement filter bypassed.

DuckDB's allowed_directories cannot tell reads from writes, so the locked
configuration alone would let COPY TO overwrite the lake's files: here the
kernel must refuse. Each test confines a fresh Python process (confinement
cannot be undone, so never this one) and runs raw SQL in it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.lake.playground.protocol import settings_to_dict
from app.landlock import landlock_abi
from tests.lake.fakelake import SECRET, build_lake

pytestmark = pytest.mark.skipif(landlock_abi() == 0, reason="Landlock is not available here")

# Run in a child process: confine, then try each attack and report what happened.
PROBE = """
import json, socket, sys
from contextlib import closing
import duckdb
from app.lake.playground.confine import confine_worker
from app.lake.playground.sandbox import open_sandbox
from app.lake.playground.types import PlaygroundSettings

settings = PlaygroundSettings(**json.loads(sys.argv[1]))
attacks = json.loads(sys.argv[2])
report = confine_worker(settings)
results = []
for mode, attack in attacks:
    try:
        if mode == "python":
            exec(attack)
        else:
            opened = open_sandbox(settings, "ll_alice") if mode == "sandbox" else duckdb.connect()
            with closing(opened) as con:
                con.execute(attack).fetchall()
        results.append([attack, None])
    except Exception as exc:
        results.append([attack, f"{type(exc).__name__}: {exc}"])
print(json.dumps({"report": report, "results": results}))
"""


@pytest.fixture
def lake(tmp_path):
    """A fresh fake lake per test: confinement attacks must find it untouched."""
    return build_lake(tmp_path / "instance")


def probe(lake, attacks: list[tuple[str, str]]) -> dict:
    """Run ``attacks`` ((mode, code) pairs) in a confined child process."""
    settings = settings_to_dict(lake.settings())
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(settings), json.dumps(attacks)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_the_worker_is_confined_and_can_still_do_its_job(lake):
    outcome = probe(
        lake,
        [
            ("sandbox", "SELECT count(*) FROM raw.x JOIN refined.y USING (id)"),
            ("sandbox", "CREATE TABLE user.t AS SELECT * FROM trusted.advert"),
            ("sandbox", "SELECT count(*) FROM user.t"),
        ],
    )
    assert outcome["report"]["landlock"] is True
    assert [error for _, error in outcome["results"]] == [None, None, None]


def test_writes_into_the_lake_are_refused_by_the_kernel_when_the_filter_is_bypassed(lake):
    raw = lake.lake_dir / "raw"
    before = lake.fingerprint()
    outcome = probe(
        lake,
        [
            ("sandbox", f"COPY (SELECT 1) TO '{raw}/x/x.csv'"),
            ("sandbox", f"COPY (SELECT 1) TO '{raw}/new.csv'"),
            ("sandbox", f"EXPORT DATABASE '{raw}/export'"),
            ("sandbox", f"COPY (SELECT 1) TO '{lake.lake_dir}/lake.duckdb.wal'"),
        ],
    )
    *kernel_refused, (wal_attack, wal_error) = outcome["results"]
    for attack, error in kernel_refused:
        assert error and "Permission denied" in error, attack
    # The lake's own write-ahead log: newer DuckDB releases refuse it themselves
    # ("belongs to an attached database") before the kernel is asked.
    assert wal_error and (
        "Permission denied" in wal_error or "belongs to an attached database" in wal_error
    ), wal_attack
    assert lake.fingerprint() == before


def test_without_duckdbs_locks_the_kernel_still_guards_files_and_network(lake):
    # An unlocked DuckDB, and plain Python: as if both other walls had fallen.
    outside = lake.instance.parent / "outside.csv"
    before = lake.fingerprint()
    outcome = probe(
        lake,
        [
            ("open", f"SELECT * FROM read_text('{lake.secret_file}')"),
            ("open", "SELECT * FROM read_csv('/etc/passwd')"),
            ("open", f"COPY (SELECT 1) TO '{lake.lake_dir}/raw/x/x.csv'"),
            ("open", f"COPY (SELECT 1) TO '{outside}'"),
            ("python", f"open({str(lake.secret_file)!r}).read()"),
            ("python", f"open({str(lake.lake_dir / 'raw/x/x.csv')!r}, 'a')"),
            ("python", "socket.create_connection(('127.0.0.1', 9), timeout=2)"),
            ("python", "open('/proc/self/environ').read()"),
        ],
    )
    for attack, error in outcome["results"]:
        assert error and ("Permission" in error or "denied" in error), (attack, error)
        assert SECRET not in error
    assert lake.fingerprint() == before
    assert not outside.exists()

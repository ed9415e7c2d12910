"""Benchmark: the grader's peak memory and time on oversized answers (each in a fresh process).

    python bench/answers.py

Each case runs in a new Python process, so its peak resident memory (maxrss)
is the case's own: the imports, the answer, and what the grader did with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CASE = r"""
import io, json, resource, sys, time
import duckdb, numpy as np, pyarrow as pa, pyarrow.parquet as pq
sys.path.insert(0, sys.argv[2])
from app.grading.grader.exported import _decode_parquet
from app.grading.grader.lakedb import QueryFailed, run_query

def parquet(table):
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()

case = sys.argv[1]
if case == "baseline":
    data = None
elif case == "parquet 1e6 x 60":
    zeros = pa.array(np.zeros(1_000_000, dtype=np.int8))
    data = parquet(pa.table({f"c{i}": zeros for i in range(60)}))
    del zeros
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
outcome = "nothing to check"
if case == "parquet 1e6 x 60":
    answer = _decode_parquet(data)
    outcome = answer.kind + ": " + (answer.reason or "read")
elif case.startswith("sql"):
    sql = {
        "sql 200k x 120": "SELECT " + ", ".join(f"range AS c{i}" for i in range(120))
        + " FROM range(200000)",
        "sql 400 x 2 MB": "SELECT repeat('x', 2000000) AS big FROM range(400)",
    }[case]
    with duckdb.connect(config={"memory_limit": "1GB"}) as con:
        try:
            outcome = "read %d rows" % len(run_query(con, sql).rows)
        except QueryFailed as failed:
            outcome = "refused: " + str(failed)
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"case": case, "peak_mb": peak / 1024, "setup_mb": before / 1024,
                  "seconds": took, "outcome": outcome[:90]}))
"""

CASES = ["baseline", "parquet 1e6 x 60", "sql 200k x 120", "sql 400 x 2 MB"]


def main() -> None:
    """Print each case's peak memory, time and outcome."""
    for case in CASES:
        done = subprocess.run(
            [sys.executable, "-c", CASE, case, str(ROOT)], capture_output=True, text=True
        )
        if done.returncode != 0:
            print(case, "failed:", done.stderr[-500:])
            continue
        found = json.loads(done.stdout)
        print(
            f"{found['case']:18} peak {found['peak_mb']:7.0f} MB  "
            f"(after set-up {found['setup_mb']:5.0f} MB)  {found['seconds']:6.2f} s  "
            f"{found['outcome']}"
        )


if __name__ == "__main__":
    main()

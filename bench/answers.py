"""Benchmark: the grader's peak memory and time on oversized answers (each in a fresh process).

    python bench/answers.py

Two halves. "bounds": each case runs the grader's readers in a new Python
process, so its peak resident memory (maxrss) is the case's own: the imports,
the answer, and what the grader did with it. "confined": the same answers go
through ``grader.confined.check_answers`` on a real lake (scale 1), as a grade
does: the grading process's own peak, and the checker child's, side by side.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
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

CONFINED = r"""
# Only light imports at the top: Python 3.11 imports the main script again in every
# checker child (see grader.confined), which a real grading process's script does not
# make costly.
import sys

def main():
    import json, resource, tempfile, time
    from pathlib import Path
    import nbformat, numpy as np, pyarrow as pa, pyarrow.parquet as pq
    sys.path.insert(0, sys.argv[3])
    from app.grading.exercises.load import load_exercise
    from app.grading.grader.confined import check_answers
    from app.grading.grader.exported import DONE_FILE
    case, lake = sys.argv[1], Path(sys.argv[2])
    work = Path(tempfile.mkdtemp())
    folder = work / "exercises" / "bench"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(
        "title: Bench\nmodule: SQ101\nquestions:\n"
        "  - {id: q1, points: 1, kind: sql, prompt: Any, reference: SELECT 1 AS x}\n"
        "  - {id: q2, points: 1, kind: value, prompt: Any, reference: SELECT 1 AS x}\n"
    )
    for name in ("starter", "solution"):
        cells = []
        for qid, source in (("q1", "answer_q1 = 'SELECT 1 AS x'"), ("q2", "answer_q2 = 1")):
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["academy"] = {"answer": qid}
            cells.append(cell)
        nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{name}.ipynb")
    exercise, problems = load_exercise(folder)
    assert exercise is not None, problems
    answers = work / "answers"
    answers.mkdir()
    (answers / DONE_FILE).write_text("{}")
    sql = {
        "sql 200k x 120": "SELECT " + ", ".join(f"range AS c{i}" for i in range(120))
        + " FROM range(200000)",
        "sql 400 x 2 MB": "SELECT repeat('x', 2000000) AS big FROM range(400)",
    }.get(case, "SELECT 1 AS x")
    (answers / "q1.json").write_text(json.dumps({"kind": "value", "value": sql}))
    if case == "parquet 1e6 x 60":
        zeros = pa.array(np.zeros(1_000_000, dtype=np.int8))
        pq.write_table(pa.table({f"c{i}": zeros for i in range(60)}), answers / "q2.parquet",
                       compression="zstd")
    else:
        (answers / "q2.json").write_text(json.dumps({"kind": "value", "value": 1}))
    check_answers(exercise, answers, lake, 1)  # the fork server starts once, not in the timing
    times = []
    for _ in range(5):
        started = time.perf_counter()
        checked = check_answers(exercise, answers, lake, 1)
        times.append(time.perf_counter() - started)
    took = sorted(times)[2]  # the median of 5
    outcome = checked.refused or " | ".join(q.message for q in checked.questions)
    print(json.dumps({"case": case, "parent_mb": resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024, "child_mb": checked.peak_mb,
        "seconds": took, "outcome": outcome[:120]}))

if __name__ == "__main__":
    main()
"""


def confined(lake: Path) -> None:
    """Each case through the confined checker, in a fresh grading process."""
    script = Path(tempfile.mkdtemp()) / "confined_case.py"
    script.write_text(CONFINED)
    for case in CASES:
        done = subprocess.run(
            [sys.executable, str(script), case, str(lake), str(ROOT)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(case, "failed:", done.stderr[-500:])
            continue
        found = json.loads(done.stdout.splitlines()[-1])
        child = f"{found['child_mb']:6.0f} MB" if found["child_mb"] else "killed"
        print(
            f"{found['case']:18} grader peak {found['parent_mb']:5.0f} MB  checker peak {child}  "
            f"{found['seconds']:6.2f} s  {found['outcome']}"
        )


def main() -> None:
    """Print each case's peak memory, time and outcome, bounds then confined."""
    print("== bounds: the readers alone, in the grading process")
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

    print("== confined: through check_answers on a scale-1 lake (median of 5 checks)")
    sys.path.insert(0, str(ROOT))
    from app.lake.pipeline.build import build_lake  # here: the first half needs no lake

    with tempfile.TemporaryDirectory(prefix="academy-answers-bench-") as tmp:
        confined(build_lake(Path(tmp) / "lake", seed=42, scale=1).lake.resolve())


if __name__ == "__main__":
    main()

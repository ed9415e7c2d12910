"""Benchmark: grading end to end (submitted, queued, graded) through the site, and nbgrader.

    make bench-grading          # creates .venv-nbgrader with nbgrader, then runs this
    python bench/grading.py --rounds 3 --batch 10 --burst 60 --nbgrader .venv-nbgrader/bin/nbgrader

With the sandbox on and warm kernels in the pool, through the real upload endpoint:

- **idle latency**: one submission at a time, the pool refilled between them, for a
  trivial exercise and a typical lake exercise (sq101-first-queries);
- **rounds**: a batch of the trivial exercise graded by the site, and the same batch graded
  by nbgrader's ``autograde`` split over as many processes as the site has grading
  workers, one after the other and in alternating order, so the machine's load falls on
  both alike; throughput and CPU per notebook for each, and their ratio per round;
- **a burst** (``--burst N``): N uploads at once, timed from the first upload to the last
  grade, beside nbgrader on the same N.

CPU is the benchmark's own (``bench/cpu.py``: a cgroup of its own where the machine has
one), never the whole machine's. The site's CPU for a batch runs until its pool has booted
again the kernels the batch used: those boots are part of what a grade costs. nbgrader's
*marginal* CPU per notebook takes out the fixed cost each of its processes pays, measured
with one notebook in the same round. Latency runs from just before the upload request to
the submission's own ``finished_at``. Everything the run made (its lakes, nbgrader's
courses) is removed at the end.

The benchmark is in ``grading_runs.py``, imported only when this script runs: the checking
step's fork server (``app/grading/grader/confined.py``) re-imports the main script in each
child it forks (Python 3.11), and a main script that imported the whole site would add
that import to every check, as no web process's or worker's script does.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.grading_runs import main

    main()

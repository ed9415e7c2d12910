"""Benchmark: server time and SQL query count of the busiest pages on a large academy.

Seeds 500 modules, 10,000 users, 200,000 enrolments and 20,000 interest
registrations (plus completions, sessions, bookings and nominations) into a fresh database,
then requests each page many times through the real Flask stack and reports
p50 and p95 server time and the number of SQL queries per request.

    python bench/pages.py                       # SQLite file in a temp folder
    python bench/pages.py --database postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import click
from sqlalchemy import event, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.catalogue.models import Module  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.personas import SLUGS  # noqa: E402
from bench.seed import (  # noqa: E402
    seed_completions,
    seed_modules,
    seed_submissions,
    seed_taking_part,
    seed_users,
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class QueryCounter:
    """Counts SQL statements the engine runs."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *args):
        self.count += 1


def measure(client, urls: list[str], counter: QueryCounter) -> dict:
    """Request each URL in turn; server time in ms, queries per request."""
    times, queries = [], []
    for url in urls:
        counter.count = 0
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        queries.append(counter.count)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return {
        "requests": len(urls),
        "p50_ms": round(percentile(times, 0.50), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "queries": sorted(set(queries)),
    }


def seed(app, modules, users, completions, enrolments, interests, submissions, rng) -> None:
    total = users * (1 + completions) + enrolments + interests + submissions
    with click.progressbar(length=total, label="Seeding") as bar:

        def progress(_what: str, n: int) -> None:
            bar.update(n)

        with app.app_context():
            db.create_all()
            module_ids = seed_modules(modules, rng)
            user_ids = seed_users(users, rng, progress)
            seed_completions(user_ids, module_ids, completions, rng, progress)
            seed_taking_part(user_ids, enrolments, interests, rng, progress)
            seed_submissions(user_ids, submissions, rng, progress)
            # Fresh statistics, as autovacuum would make them in time: without them the
            # planner guesses row counts for tables it has only just seen filled.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


@click.command()
@click.option("--database", default=None, help="Database URL (default: a new SQLite file).")
@click.option("--modules", default=500, show_default=True)
@click.option("--users", default=10_000, show_default=True)
@click.option("--completions", default=5, show_default=True, help="Per learner.")
@click.option("--enrolments", default=200_000, show_default=True)
@click.option("--interests", default=20_000, show_default=True)
@click.option("--submissions", default=10_000, show_default=True, help="Graded, with results.")
@click.option("--requests", "n", default=200, show_default=True, help="Per page.")
@click.option("--seed", "seed_value", default=1, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write JSON here.")
def main(
    database, modules, users, completions, enrolments, interests, submissions, n, seed_value, out
):
    """Seed a large academy and measure its busiest pages."""
    rng = random.Random(seed_value)
    workdir = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    url = normalise_database_url(database) if database else f"sqlite:///{workdir / 'bench.sqlite'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False},
        instance_path=str(workdir / "instance"),
    )
    if database:
        with app.app_context():
            db.drop_all()
    seed(app, modules, users, completions, enrolments, interests, submissions, rng)

    with app.app_context():
        codes = list(db.session.scalars(select(Module.code)))
        learner = db.session.scalar(select(User).where(User.email == "learner7@bench.example"))
        # The demand page is for instructors: make the measured learner one.
        learner.role = "admin"
        db.session.commit()
        learner_email = learner.email
        counter = QueryCounter(db.engine)
    client = app.test_client()
    client.post("/login", data={"email": learner_email, "password": "benchmark-password"})

    pages = {
        "catalogue": ["/modules"] * n,
        "catalogue (filtered)": [f"/modules?persona={rng.choice(SLUGS)}" for _ in range(n)],
        "module": [f"/modules/{rng.choice(codes)}" for _ in range(n)],
        "path": [f"/paths/{rng.choice(SLUGS)}" for _ in range(n)],
        "my learning": ["/learning"] * n,
        "what to write next": ["/teach/demand"] * n,
        "exercise results": ["/teach/exercises"] * n,
    }
    results = {}
    for name, urls in pages.items():
        measure(client, urls[:10], counter)  # warm up caches and templates
        results[name] = measure(client, urls, counter)

    report = {
        "database": url.split(":")[0],
        "modules": modules,
        "users": users,
        "enrolments": enrolments,
        "interests": interests,
        "graded submissions": submissions,
        "completions_per_user": completions,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "pages": results,
    }
    click.echo(f"\n{report['database']}: {modules} modules, {users} users, signed in")
    click.echo(f"{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  queries")
    for name, r in results.items():
        click.echo(
            f"{name:<22}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['max_ms']:>9}  "
            f"{','.join(map(str, r['queries']))}"
        )
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Seeding a large, realistic academy for the benchmarks, with bulk inserts.

Deterministic for a given seed, so figures from two runs compare like for like.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from app.accounts.models import Role, User, utcnow
from app.catalogue.models import Module, ModulePersona, ModuleStatus, module_prerequisites
from app.enrolment.models import Completion
from app.extensions import db
from app.personas import SLUGS

Progress = Callable[[str, int], None]

LEVELS = (100, 200, 300)


def _chunks(rows: list[dict], size: int = 5000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def seed_modules(count: int, rng: random.Random) -> list[int]:
    """``count`` modules across the three levels, with personas and prerequisites."""
    now = utcnow()
    rows = []
    for i in range(count):
        level = LEVELS[min(i * 3 // count, 2)]
        planned = rng.random() < 0.3
        # Codes are letters then three digits; three letters keep 500+ of them unique.
        letters = "".join(chr(65 + (i // 26**k) % 26) for k in range(3))
        rows.append(
            {
                "code": f"B{letters}{level}",
                "title": f"Benchmark module {i} on joins, zones and adverts",
                "level": level,
                "summary": "A seeded module for measuring page times. " * 3,
                "outcomes": ["Do one thing", "Do another thing"],
                "instructors": ["instructor@academy.example"],
                "exercises": [],
                "body_markdown": "" if planned else "# Body\n\nText.",
                "body_html": "" if planned else "<h2>Body</h2><p>Text " * 40 + "</p>",
                "status": (ModuleStatus.PLANNED if planned else ModuleStatus.PUBLISHED).value,
                "source_path": f"courses/bm{i}.md",
                "content_hash": f"{i:064d}",
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Module), rows)
    ids = list(db.session.scalars(select(Module.id).order_by(Module.id)))
    paired = list(zip(ids, rows, strict=True))
    by_level = {lvl: [mid for mid, row in paired if row["level"] == lvl] for lvl in LEVELS}
    personas, prerequisites = [], []
    for module_id, row in paired:
        for slug in rng.sample(SLUGS, rng.randint(1, 3)):
            personas.append({"module_id": module_id, "persona": slug})
        lower = [m for lvl in LEVELS if lvl < row["level"] for m in by_level[lvl]]
        for prerequisite in rng.sample(lower, min(len(lower), rng.randint(0, 3))):
            prerequisites.append({"module_id": module_id, "prerequisite_id": prerequisite})
    db.session.execute(insert(ModulePersona), personas)
    if prerequisites:
        db.session.execute(insert(module_prerequisites), prerequisites)
    db.session.commit()
    return ids


def seed_users(count: int, rng: random.Random, progress: Progress) -> list[int]:
    """``count`` learners with personas, sharing one password hash (hashing is slow)."""
    password_hash = generate_password_hash("benchmark-password")
    now = utcnow()
    rows = [
        {
            "email": f"learner{i}@bench.example",
            "name": f"Learner {i}",
            "password_hash": password_hash,
            "persona": rng.choice(SLUGS),
            "role": Role.LEARNER.value,
            "active": True,
            "created_at": now,
        }
        for i in range(count)
    ]
    for chunk in _chunks(rows):
        db.session.execute(insert(User), chunk)
        progress("users", len(chunk))
    db.session.commit()
    return list(db.session.scalars(select(User.id).order_by(User.id)))


def seed_completions(
    user_ids: list[int],
    module_ids: list[int],
    per_user: int,
    rng: random.Random,
    progress: Progress,
) -> None:
    """About ``per_user`` completions for each learner."""
    now = utcnow()
    rows = [
        {"user_id": uid, "module_id": mid, "completed_at": now, "source": "instructor"}
        for uid in user_ids
        for mid in rng.sample(module_ids, per_user)
    ]
    for chunk in _chunks(rows):
        db.session.execute(insert(Completion), chunk)
        progress("completions", len(chunk))
    db.session.commit()


def seed_taking_part(
    user_ids: list[int],
    enrolments: int,
    interests: int,
    rng: random.Random,
    progress: Progress,
) -> None:
    """Enrolments in published modules, interest in planned ones, sessions with bookings."""
    from datetime import timedelta

    from app.demand.models import Interest
    from app.enrolment.models import Booking, ClassSession, Enrolment
    from app.nominations.models import Nomination

    now = utcnow()
    modules = db.session.execute(select(Module.id, Module.status)).all()
    published = [m for m, status in modules if status == ModuleStatus.PUBLISHED]
    planned = [m for m, status in modules if status == ModuleStatus.PLANNED]

    per_user = max(1, enrolments // len(user_ids))
    rows = [
        {"user_id": uid, "module_id": mid, "status": "active", "created_at": now}
        for uid in user_ids
        for mid in rng.sample(published, min(per_user, len(published)))
    ][:enrolments]
    for chunk in _chunks(rows):
        db.session.execute(insert(Enrolment), chunk)
        progress("enrolments", len(chunk))

    pairs: set[tuple[int, int]] = set()
    while len(pairs) < interests:
        pairs.add((rng.choice(planned), rng.choice(user_ids)))
    rows = [
        {"module_id": m, "user_id": u, "note": f"I hope to learn {m % 7} things", "created_at": now}
        for m, u in sorted(pairs)
    ]
    for chunk in _chunks(rows):
        db.session.execute(insert(Interest), chunk)
        progress("interests", len(chunk))

    sessions = [
        {
            "module_id": mid,
            "starts_at": now + timedelta(days=rng.randint(1, 60)),
            "duration_minutes": 90,
            "capacity": 20,
            "seats_taken": 20,
            "location": "Room 1",
            "created_at": now,
        }
        for mid in published
        for _ in range(2)
    ]
    db.session.execute(insert(ClassSession), sessions)
    session_ids = list(db.session.scalars(select(ClassSession.id)))
    bookings = []
    for sid in session_ids:
        for i, uid in enumerate(rng.sample(user_ids, 30)):
            bookings.append(
                {
                    "session_id": sid,
                    "user_id": uid,
                    "status": "booked" if i < 20 else "waitlisted",
                    "queued_at": now + timedelta(seconds=i),
                }
            )
    for chunk in _chunks(bookings):
        db.session.execute(insert(Booking), chunk)
    nominations = [
        {
            "module_id": rng.choice(published),
            "nominator_id": uid,
            "nominee_id": rng.choice(user_ids),
            "reason": "You would enjoy this",
            "status": "pending",
            "created_at": now,
        }
        for uid in user_ids[: len(user_ids) // 2]
    ]
    db.session.execute(
        insert(Nomination), [n for n in nominations if n["nominator_id"] != n["nominee_id"]]
    )
    db.session.commit()


def seed_submissions(
    user_ids: list[int], count: int, rng: random.Random, progress: Progress
) -> None:
    """``count`` graded submissions of the shipped exercises, each with a result as the
    grader records it (the executed notebook included), and the results page's totals."""
    # Here, not at the top: only a benchmark that seeds grades needs the exercises read.
    from app.grading.models import Submission
    from app.grading.submissions import all_exercises
    from app.grading.tallies import recount

    exercises = sorted(all_exercises().values(), key=lambda e: e.id)
    now = utcnow()
    notebook = {"cells": [{"cell_type": "code", "source": "answer = 1\n" * 40, "outputs": []}] * 8}
    rows = []
    for _ in range(count):
        exercise = rng.choice(exercises)
        questions = [{"id": q.id, "passed": rng.random() < 0.7} for q in exercise.questions]
        passed = all(q["passed"] for q in questions)
        result = {"questions": questions, "passed": passed, "notebook": notebook}
        rows.append({
            "user_id": rng.choice(user_ids), "exercise_id": exercise.id, "status": "graded",
            "attempt": 1, "notebook": b"{}", "score": float(passed), "max_score": 1.0,
            "passed": passed, "result_json": json.dumps(result), "created_at": now,
            "finished_at": now, "tries": 1,
        })  # fmt: skip
    for chunk in _chunks(rows, 2000):
        db.session.execute(insert(Submission), chunk)
        progress("submissions", len(chunk))
    db.session.commit()
    recount()
    db.session.commit()

"""Benchmark: how long a failed sign-in takes for a real account and for an unknown email.

    python bench/signin.py                 # 40 attempts of each, interleaved

The two must take about as long, or the time tells an attacker which accounts
exist. Attempts are interleaved (real, unknown, real, ...) so the machine's
noise falls on both alike; each comes from its own address and account so the
sign-in throttle never answers instead.
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.accounts.services import create_user  # noqa: E402
from app.extensions import db  # noqa: E402


@click.command()
@click.option("--attempts", default=40, show_default=True)
def main(attempts: int) -> None:
    """Print the median and spread of failed sign-ins, real against unknown."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
            },
            instance_path=tmp,
        )
        with app.app_context():
            db.create_all()
            for i in range(attempts):
                create_user(f"real{i}@example.com", "Real", password="correct horse battery")
            db.session.commit()
        client = app.test_client()
        times: dict[str, list[float]] = {"real account": [], "unknown email": []}
        for i in range(attempts):
            for kind, email in (("real account", f"real{i}"), ("unknown email", f"nobody{i}")):
                started = time.perf_counter()
                response = client.post(
                    "/login",
                    data={"email": f"{email}@example.com", "password": "wrong"},
                    environ_base={"REMOTE_ADDR": f"10.1.{i}.{len(kind)}"},
                )
                times[kind].append(time.perf_counter() - started)
                assert response.status_code == 400, response.status_code
    print(f"{platform.python_version()}, {attempts} failed sign-ins of each, interleaved")
    for kind, found in times.items():
        ms = sorted(t * 1000 for t in found)
        print(
            f"{kind:14} p50 {statistics.median(ms):6.1f} ms   p90 {ms[int(len(ms) * 0.9)]:6.1f} ms"
        )
    ratio = statistics.median(times["unknown email"]) / statistics.median(times["real account"])
    print(f"unknown / real, medians: {ratio:.2f}")


if __name__ == "__main__":
    main()

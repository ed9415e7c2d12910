"""Settings, read from the environment with safe defaults for the embedded mode.

The embedded default needs no server: a SQLite file and the secret key live in
Flask's instance folder. Production sets ``DATABASE_URL``, ``SECRET_KEY`` and
``SESSION_COOKIE_SECURE`` in the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def instance_secret(path: Path) -> str:
    """The secret kept in ``path``, generated on first use into a file only its owner reads.

    The file is created 0600 in one step (never written first and narrowed after), so no
    other user can open it in between.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_text().strip()


def instance_secret_key(instance_path: str) -> str:
    """Return the instance's secret key, creating it on first use.

    Keeping it in the instance folder means sessions survive restarts without
    anyone having to invent a key for the embedded mode.
    """
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return instance_secret(Path(instance_path) / "secret_key")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, or None (another database, or in memory)."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            name = url[len(prefix) :].split("?", 1)[0]
            return Path(name) if name and name != ":memory:" else None
    return None


def create_owner_only(path: Path | None) -> None:
    """Create a database file readable by its owner only, before SQLite makes it 0644.

    Wherever the file comes from (the instance folder or DATABASE_URL): a notebook
    graded without bubblewrap runs as another uid on this machine and must not read it.
    """
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)


def normalise_database_url(url: str) -> str:
    """Point plain ``postgres://`` URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_production(config: Mapping[str, Any]) -> bool:
    """ACADEMY_ENV=production, or with ACADEMY_ENV unset a server database (not SQLite)."""
    env = config["ACADEMY_ENV"]
    if env:
        return env == "production"
    return not str(config["SQLALCHEMY_DATABASE_URI"] or "sqlite").startswith("sqlite")


class Config:
    """Settings for a running site; every value can come from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: generated into the instance folder
    SQLALCHEMY_DATABASE_URI = (
        normalise_database_url(os.environ["DATABASE_URL"])
        if os.environ.get("DATABASE_URL")
        else None  # None: a SQLite file in the instance folder
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    ACADEMY_COURSES_DIR = os.environ.get("ACADEMY_COURSES_DIR", str(PROJECT_ROOT / "courses"))
    # Exercise folders; None: the exercises/ folder beside the course folder.
    ACADEMY_EXERCISES_DIR = os.environ.get("ACADEMY_EXERCISES_DIR") or None
    # Lesson notebooks (<module code lowercased>.ipynb), opened in learners' JupyterLab;
    # None: the notebooks/ folder beside the course folder.
    ACADEMY_NOTEBOOKS_DIR = os.environ.get("ACADEMY_NOTEBOOKS_DIR") or None
    # Grading: "auto" sandboxes kernels with bubblewrap where it works (else resource limits
    # and a scrubbed environment, with a warning to admins); "bwrap" makes the sandbox mandatory.
    ACADEMY_GRADING_SANDBOX = os.environ.get("ACADEMY_GRADING_SANDBOX", "auto")
    # "production" (or, when unset, any database but SQLite) makes "auto" mean "bwrap":
    # there, notebooks are never graded in the weaker fallback unless an admin opts in.
    ACADEMY_ENV = os.environ.get("ACADEMY_ENV", "")
    ACADEMY_ALLOW_UNSANDBOXED_GRADING = _bool("ACADEMY_ALLOW_UNSANDBOXED_GRADING", False)
    ACADEMY_GRADING_WORKERS = _int("ACADEMY_GRADING_WORKERS", 2)
    # Grade in the request that submits, with no queue (tests and the grade command).
    ACADEMY_GRADING_INLINE = _bool("ACADEMY_GRADING_INLINE", False)
    # How often each process hands stalled submissions (a dead grader's) to the queue
    # again; the first time is when grading is first used. 0: never.
    ACADEMY_RECOVERY_SECONDS = _int("ACADEMY_RECOVERY_SECONDS", 60)
    # A grader holds a submission for the exercise's total_seconds plus this margin (to
    # start a kernel and record the result); past it the grader is presumed dead. A
    # submission handed to the queue this long ago and still waiting is handed out again.
    ACADEMY_LEASE_MARGIN_SECONDS = _int("ACADEMY_LEASE_MARGIN_SECONDS", 120)
    # How often a learner may submit to one exercise: this many uploads per window.
    ACADEMY_SUBMISSIONS_PER_WINDOW = _int("ACADEMY_SUBMISSIONS_PER_WINDOW", 5)
    ACADEMY_SUBMISSION_WINDOW_MIN = _int("ACADEMY_SUBMISSION_WINDOW_MIN", 10)
    # Where grading happens: "threads" in the web process (no other server), or "celery":
    # workers anywhere (`celery -A app.worker worker`) fed through ACADEMY_BROKER_URL.
    ACADEMY_GRADING_BACKEND = os.environ.get("ACADEMY_GRADING_BACKEND", "threads")
    ACADEMY_BROKER_URL = os.environ.get("ACADEMY_BROKER_URL") or None
    # Kernels booted ahead of time per web process, so a grade doesn't wait for one (0: off).
    ACADEMY_KERNEL_POOL = _int("ACADEMY_KERNEL_POOL", 2)
    ACADEMY_DEMAND_THRESHOLD = _int("ACADEMY_DEMAND_THRESHOLD", 5)
    # Company single sign-on through a reverse proxy: the header that carries the
    # signed-in user's email. Off unless set, because trusting it on a site that
    # is reachable without the proxy would let anyone claim any identity.
    ACADEMY_SSO_HEADER = os.environ.get("ACADEMY_SSO_HEADER") or None
    # Where `flask academy lake build` writes the sample lake; None: <instance>/lake.
    ACADEMY_LAKE_DIR = os.environ.get("ACADEMY_LAKE_DIR") or None
    # The SQL playground: learners' scratch files (None: <instance>/scratch) and limits.
    ACADEMY_SCRATCH_DIR = os.environ.get("ACADEMY_SCRATCH_DIR") or None
    ACADEMY_QUERY_TIMEOUT = float(os.environ.get("ACADEMY_QUERY_TIMEOUT", "5"))
    ACADEMY_QUERY_MEMORY = os.environ.get("ACADEMY_QUERY_MEMORY", "256MB")
    ACADEMY_QUERY_MAX_ROWS = _int("ACADEMY_QUERY_MAX_ROWS", 500)
    ACADEMY_QUERY_WORKERS = _int("ACADEMY_QUERY_WORKERS", 2)
    # Refuse to run learners' SQL where the OS sandbox (Landlock) is unavailable.
    ACADEMY_REQUIRE_CONFINEMENT = _bool("ACADEMY_REQUIRE_CONFINEMENT", False)

    # Failed sign-ins allowed per account (the email tried) and per address, in
    # Flask-Limiter's notation; counted where RATELIMIT_STORAGE_URI says: memory://
    # counts per process, so several web processes want a Redis (redis://host:6379/1).
    ACADEMY_LOGIN_LIMIT_ACCOUNT = os.environ.get("ACADEMY_LOGIN_LIMIT_ACCOUNT", "5/minute;20/hour")
    ACADEMY_LOGIN_LIMIT_ADDRESS = os.environ.get(
        "ACADEMY_LOGIN_LIMIT_ADDRESS", "30/minute;100/hour"
    )
    RATELIMIT_STORAGE_URI = os.environ.get("ACADEMY_RATELIMIT_STORAGE_URL", "memory://")

    # E-mail: without MAIL_SERVER, messages are held in the outbox for admins to read.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "academy@localhost")
    # Where the site is reached, for links in e-mail and in the starters learners get (e.g.
    # https://academy.example.com).
    ACADEMY_BASE_URL = os.environ.get("ACADEMY_BASE_URL", "")

    # Learners' JupyterLab on JupyterHub (see app/hub/README.md). The hub's address as
    # browsers reach it; where it listens for its own API and its proxy's; the academy's
    # OAuth client for it and the academy's service token (None: generated into
    # <instance>/hub/, owner-only); its state and learners' workspaces (None: in the instance
    # folder); how long an idle server lives; and how long the academy waits for the hub.
    ACADEMY_HUB_URL = os.environ.get("ACADEMY_HUB_URL", "http://127.0.0.1:8000")
    ACADEMY_HUB_API_BIND_URL = os.environ.get("ACADEMY_HUB_API_BIND_URL", "http://127.0.0.1:8081")
    ACADEMY_HUB_PROXY_API_URL = os.environ.get("ACADEMY_HUB_PROXY_API_URL", "http://127.0.0.1:8001")
    ACADEMY_HUB_CLIENT_ID = os.environ.get("ACADEMY_HUB_CLIENT_ID", "jupyterhub")
    ACADEMY_HUB_CLIENT_SECRET = os.environ.get("ACADEMY_HUB_CLIENT_SECRET") or None
    ACADEMY_HUB_SERVICE_TOKEN = os.environ.get("ACADEMY_HUB_SERVICE_TOKEN") or None
    # Encrypts the learner's academy token the hub keeps, to ask again whether the account
    # is still active (32 bytes, hex); None: generated into <instance>/hub/.
    ACADEMY_HUB_CRYPT_KEY = os.environ.get("ACADEMY_HUB_CRYPT_KEY") or None
    ACADEMY_HUB_DIR = os.environ.get("ACADEMY_HUB_DIR") or None
    ACADEMY_WORKSPACES_DIR = os.environ.get("ACADEMY_WORKSPACES_DIR") or None
    ACADEMY_HUB_IDLE_MINUTES = _int("ACADEMY_HUB_IDLE_MINUTES", 30)
    ACADEMY_HUB_TIMEOUT = float(os.environ.get("ACADEMY_HUB_TIMEOUT", "10"))
    # Each kernel of a learner's JupyterLab runs in the grading sandbox (bubblewrap only:
    # no fallback) with these limits: what a notebook may allocate, its processes and
    # threads together, and its CPU time in minutes (all cores together).
    ACADEMY_LAB_KERNEL_MEMORY_MB = _int("ACADEMY_LAB_KERNEL_MEMORY_MB", 1024)
    ACADEMY_LAB_KERNEL_PROCESSES = _int("ACADEMY_LAB_KERNEL_PROCESSES", 128)
    ACADEMY_LAB_KERNEL_CPU_MINUTES = _int("ACADEMY_LAB_KERNEL_CPU_MINUTES", 120)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_SECONDS", 8 * 3600)
    # Authlib's own setting: a hub sign-in lasts as long as an academy session. Every use
    # of the token asks again whether the account is active, so a long life costs nothing.
    OAUTH2_TOKEN_EXPIRES_IN = {"authorization_code": PERMANENT_SESSION_LIFETIME}

    WTF_CSRF_TIME_LIMIT = None
    # Uploads (notebooks) are refused with 413 beyond this, before anything reads them.
    MAX_CONTENT_LENGTH = 8 * 2**20  # tied to the session, which already expires


class TestConfig(Config):
    """Settings for the test suite: an in-memory database unless told otherwise."""

    TESTING = True
    ACADEMY_ENV = "test"  # never "production" because the tests run on PostgreSQL
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
    )
    WTF_CSRF_ENABLED = False
    ACADEMY_SSO_HEADER = None
    MAIL_SERVER = None  # a developer's environment must never make the tests send mail
    ACADEMY_KERNEL_POOL = 0  # tests that want warm kernels ask for them
    ACADEMY_RECOVERY_SECONDS = 0  # tests that want the recovery thread ask for it
    ACADEMY_GRADING_BACKEND = "threads"  # tests that want Celery ask for it
    ACADEMY_BROKER_URL = None
    ACADEMY_DEMAND_THRESHOLD = 5
    # Never a developer's hub or its secrets: tests get their own, generated per instance.
    ACADEMY_HUB_URL = "http://127.0.0.1:8000"
    ACADEMY_HUB_CLIENT_ID = "jupyterhub"
    ACADEMY_HUB_CLIENT_SECRET = None
    ACADEMY_HUB_SERVICE_TOKEN = None
    ACADEMY_HUB_CRYPT_KEY = None
    ACADEMY_HUB_DIR = None
    ACADEMY_WORKSPACES_DIR = None

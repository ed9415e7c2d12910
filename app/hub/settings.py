"""What the hub needs to know, from the academy's settings and its instance folder.

``init_app`` fills in what the embedded mode leaves unset: the OAuth client secret and
the service token and the key that encrypts learners' tokens in the hub (generated once
into ``<instance>/hub/``, owner-only), the hub's state
folder and the learners' workspaces. ``hub_settings`` is everything the hub's own
configuration file (``jupyterhub_config.py``) reads, so that file has no defaults of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

from app.config import PROJECT_ROOT, instance_secret
from app.lake.location import lake_dir
from app.lake.pipeline.restrict import restricted_link

# The hub's own configuration file; it reads the JSON file this path names.
CONFIG_FILE = Path(__file__).with_name("jupyterhub_config.py")
SETTINGS_ENV = "ACADEMY_HUB_SETTINGS"
PROXY_COMMAND = PROJECT_ROOT / "node_modules" / ".bin" / "configurable-http-proxy"

# The academy's service token may look up learners' servers and start and stop them, and
# reach into them (access:servers) for the contents API alone: copying a starter in,
# reading a notebook to submit. It cannot create users, make admins or read tokens.
SERVICE_SCOPES = ["read:users:name", "read:servers", "servers", "access:servers"]
# What the idle culler needs to find idle servers and stop them, and nothing else.
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
# The hub asks for this scope; the academy's userinfo endpoint requires it.
OAUTH_SCOPE = "profile"
# The claim userinfo adds for a learner an admin granted the restricted tier, with the
# grant's end (ISO 8601, or null for none): their servers' kernels read the real values.
RESTRICTED_CLAIM = "restricted_tier"


def _folder(app: Flask, key: str, default: str) -> Path:
    path = Path(app.config[key] or Path(app.instance_path) / default)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def init_app(app: Flask) -> None:
    """Resolve the hub's folders and secrets: from the environment, else the instance folder."""
    hub_dir = _folder(app, "ACADEMY_HUB_DIR", "hub")
    app.config["ACADEMY_HUB_DIR"] = str(hub_dir)
    app.config["ACADEMY_WORKSPACES_DIR"] = str(_folder(app, "ACADEMY_WORKSPACES_DIR", "workspaces"))
    for key, filename in (
        ("ACADEMY_HUB_CLIENT_SECRET", "oauth_client_secret"),
        ("ACADEMY_HUB_SERVICE_TOKEN", "service_token"),
        ("ACADEMY_HUB_CRYPT_KEY", "crypt_key"),
    ):
        if not app.config[key]:
            app.config[key] = instance_secret(hub_dir / filename)


def oauth_redirect_uri(app: Flask) -> str:
    """Where the academy sends a learner back to the hub after signing them in."""
    return app.config["ACADEMY_HUB_URL"].rstrip("/") + "/hub/oauth_callback"


def hub_settings(app: Flask) -> dict:
    """Everything the hub's configuration file reads (secrets included: keep it owner-only)."""
    config = app.config
    academy = config["ACADEMY_BASE_URL"].rstrip("/")
    if not academy:
        raise ValueError(
            "ACADEMY_BASE_URL must say where the academy is (e.g. http://127.0.0.1:5000): "
            "the hub sends learners there to sign in"
        )
    return {
        "hub_url": config["ACADEMY_HUB_URL"],
        "hub_api_bind_url": config["ACADEMY_HUB_API_BIND_URL"],
        "proxy_api_url": config["ACADEMY_HUB_PROXY_API_URL"],
        "proxy_command": [str(PROXY_COMMAND)],
        "academy_url": academy,
        "oauth_client_id": config["ACADEMY_HUB_CLIENT_ID"],
        "oauth_client_secret": config["ACADEMY_HUB_CLIENT_SECRET"],
        "oauth_callback_url": oauth_redirect_uri(app),
        "oauth_scope": OAUTH_SCOPE,
        "crypt_key": config["ACADEMY_HUB_CRYPT_KEY"],
        "service_token": config["ACADEMY_HUB_SERVICE_TOKEN"],
        "service_scopes": SERVICE_SCOPES,
        "culler_scopes": CULLER_SCOPES,
        "idle_timeout_seconds": int(config["ACADEMY_HUB_IDLE_MINUTES"]) * 60,
        "state_dir": config["ACADEMY_HUB_DIR"],
        "workspaces_dir": config["ACADEMY_WORKSPACES_DIR"],
        # Each server's own home (its settings, runtime files), apart from the workspace
        # its kernels write; and the JUPYTER_PATH holding the academy's kernelspec.
        "servers_dir": str(Path(config["ACADEMY_HUB_DIR"]) / "servers"),
        "jupyter_path": str(Path(config["ACADEMY_HUB_DIR"]) / "jupyter"),
        "python": sys.executable,
        # What each learner's kernels run with (app/grading/sandbox/provisioner.py).
        "lake_dir": str(lake_dir(app).resolve()),
        # The link to the lake's restricted folder, followed when a granted server starts.
        "restricted_lake_dir": str(restricted_link(lake_dir(app))),
        "kernel_memory_mb": int(config["ACADEMY_LAB_KERNEL_MEMORY_MB"]),
        "kernel_processes": int(config["ACADEMY_LAB_KERNEL_PROCESSES"]),
        "kernel_cpu_minutes": int(config["ACADEMY_LAB_KERNEL_CPU_MINUTES"]),
    }

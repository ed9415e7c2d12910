"""Starting the hub: its settings file, its command line, its environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask

from app.config import create_owner_only
from app.grading.sandbox.provisioner import KERNEL_DISPLAY_NAME, KERNEL_NAME
from app.grading.sandbox.provisioner import NAME as PROVISIONER
from app.hub.settings import CONFIG_FILE, SETTINGS_ENV, hub_settings


def write_settings(app: Flask) -> Path:
    """Write the hub's settings (with its secrets) into its state folder, owner-only."""
    settings = hub_settings(app)
    path = Path(settings["state_dir"]) / "settings.json"
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(settings, file, indent=2)
    return path


def write_kernelspec(jupyter_path: Path) -> Path:
    """The ``academy`` kernelspec, in the folder learners' servers read kernelspecs from.

    Its command line is never run as it stands: the provisioner it names starts the
    kernel in the grading sandbox. Interrupting is by message, because no signal from
    the server can name a process inside the sandbox's PID namespace.
    """
    folder = jupyter_path / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"kernel_provisioner": {"provisioner_name": PROVISIONER}},
    }
    path = folder / "kernel.json"
    path.write_text(json.dumps(spec, indent=2))
    return path


def hub_command(app: Flask) -> tuple[list[str], dict[str, str], Path]:
    """The hub's command line, its environment and its working folder (the state folder).

    The settings file is rewritten each time, so a changed setting takes effect at the
    next start; the hub's database and cookie secret persist beside it.
    """
    settings_file = write_settings(app)
    # The hub's database holds its users' token hashes: owner-only, like the academy's.
    create_owner_only(settings_file.parent / "jupyterhub.sqlite")
    settings = hub_settings(app)
    write_kernelspec(Path(settings["jupyter_path"]))
    python = settings["python"]
    command = [python, "-m", "jupyterhub", "-f", str(CONFIG_FILE)]
    environment = {**os.environ, SETTINGS_ENV: str(settings_file)}
    return command, environment, settings_file.parent

"""``flask academy hub start``: run the learners' JupyterHub beside the academy.

``flask academy hub kernelspec FOLDER`` writes the academy's kernelspec into FOLDER, for
an image of learners' servers at scale (``samples/docker_config.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.hub.launch import hub_command, write_kernelspec


@click.group("hub")
def hub_group() -> None:
    """Run the learners' JupyterHub."""


@hub_group.command("start")
@with_appcontext
def start_command() -> None:
    """Start JupyterHub (and its proxy, idle culler and learners' servers) in the foreground.

    The process becomes JupyterHub, so stopping it (Ctrl-C, or honcho under ``make run``)
    stops the proxy and every learner's server with it.
    """
    try:
        command, environment, folder = hub_command(current_app)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"JupyterHub: {current_app.config['ACADEMY_HUB_URL']} (state in {folder})")
    os.chdir(folder)
    os.execve(command[0], command, environment)


@hub_group.command("kernelspec")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def kernelspec_command(folder: Path) -> None:
    """Write the academy's kernelspec under FOLDER (name FOLDER in the server's JUPYTER_PATH)."""
    click.echo(f"Wrote {write_kernelspec(folder)}")

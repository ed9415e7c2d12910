"""The ``flask academy`` command group; each area adds its commands here."""

import click

from app.accounts.cli import demo_command
from app.authoring.cli import check_command, sync_command
from app.grading.cli import grade_command, recount_command
from app.hub.cli import hub_group
from app.lake.cli import lake_group
from app.notifications.mail import send_command


@click.group("academy")
def academy() -> None:
    """Run the Data Academy's commands."""


academy.add_command(check_command)
academy.add_command(sync_command)
academy.add_command(demo_command)
academy.add_command(send_command)
academy.add_command(lake_group)
academy.add_command(grade_command)
academy.add_command(recount_command)
academy.add_command(hub_group)

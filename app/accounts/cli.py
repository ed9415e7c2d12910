"""``flask academy demo``: the demo accounts, with their credentials printed."""

import click

from app.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts
from app.accounts.services import find_by_email
from app.enrolment.demo import ensure_demo_sessions
from app.extensions import db


@click.command("demo")
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="Their password.")
def demo_command(password: str) -> None:
    """Create the demo accounts (one per persona, an instructor, an admin) and demo sessions."""
    results = ensure_demo_accounts(password)
    sessions = ensure_demo_sessions(find_by_email("instructor@academy.example"))
    db.session.commit()
    click.echo("Demo accounts (password for new ones: " + password + "):")
    for account, created in results:
        who = account.persona or "-"
        note = "created" if created else "exists"
        click.echo(f"  {account.email:<40} {account.role:<11} {who:<22} {note}")
    if sessions:
        click.echo(f"Scheduled {sessions} demo class session(s).")

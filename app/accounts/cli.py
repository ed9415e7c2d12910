"""``flask academy demo``: the demo accounts, with their credentials printed."""

import click

from app.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts
from app.extensions import db


@click.command("demo")
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="Their password.")
def demo_command(password: str) -> None:
    """Create the demo accounts (one per persona, an instructor, an admin)."""
    results = ensure_demo_accounts(password)
    db.session.commit()
    click.echo("Demo accounts (password for new ones: " + password + "):")
    for account, created in results:
        who = account.persona or "-"
        note = "created" if created else "exists"
        click.echo(f"  {account.email:<40} {account.role:<11} {who:<22} {note}")

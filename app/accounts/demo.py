"""Demo accounts: one learner per persona, plus an instructor and an admin."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Role, User
from app.accounts.services import create_user, find_by_email
from app.personas import PERSONAS

DEMO_PASSWORD = "academy-demo"


@dataclass(frozen=True)
class DemoAccount:
    """Who a demo account is and how to sign in as them."""

    email: str
    name: str
    persona: str | None
    role: Role


def demo_accounts() -> list[DemoAccount]:
    """Every demo account, learners first."""
    accounts = [
        DemoAccount(f"{p.slug}@academy.example", f"Demo {p.name}", p.slug, Role.LEARNER)
        for p in PERSONAS
    ]
    accounts.append(
        DemoAccount("instructor@academy.example", "Demo Instructor", "developer", Role.INSTRUCTOR)
    )
    accounts.append(DemoAccount("admin@academy.example", "Demo Admin", None, Role.ADMIN))
    return accounts


def ensure_demo_accounts(password: str = DEMO_PASSWORD) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that are missing; (account, created) for each."""
    results = []
    for account in demo_accounts():
        existing: User | None = find_by_email(account.email)
        if existing is None:
            create_user(
                account.email,
                account.name,
                password=password,
                persona=account.persona,
                role=account.role,
            )
        results.append((account, existing is None))
    return results

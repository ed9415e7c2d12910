"""Grants to read the restricted tier, and its audit log: the one place both are written.

Services add and flush; the view that owns the unit of work commits, so a
grant and its audit entry, or a query and its audit entry, land together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from app.accounts.models import User, utcnow
from app.extensions import db
from app.lake.models import RestrictedAudit, RestrictedGrant


class GrantError(Exception):
    """A grant or revoke that cannot be made, in words for the admin."""


def active_grant(user: User, when: datetime | None = None) -> RestrictedGrant | None:
    """The learner's grant in force at ``when`` (now by default), if any."""
    when = when or utcnow()
    grants = db.session.scalars(
        select(RestrictedGrant)
        .where(RestrictedGrant.user_id == user.id, RestrictedGrant.revoked_at.is_(None))
        .order_by(RestrictedGrant.granted_at.desc())
    )
    return next((g for g in grants if g.active_at(when)), None)


def grant_access(
    learner: User, admin: User, reason: str, expires_at: datetime | None = None
) -> RestrictedGrant:
    """Let ``learner`` read the restricted tier, for ``reason``; audited."""
    reason = (reason or "").strip()
    if not reason:
        raise GrantError("Give the reason for this access: it is kept in the audit log.")
    if expires_at is not None and expires_at <= utcnow():
        raise GrantError("The expiry must be in the future.")
    if active_grant(learner) is not None:
        raise GrantError(f"{learner.email} already has access; revoke it first to change it.")
    grant = RestrictedGrant(
        user_id=learner.id, granted_by_id=admin.id, reason=reason, expires_at=expires_at
    )
    db.session.add(grant)
    db.session.flush()
    _audit("grant", admin, learner, grant=grant, reason=reason)
    return grant


def revoke_access(grant: RestrictedGrant, admin: User, reason: str) -> None:
    """End a grant now; audited with the admin's reason."""
    reason = (reason or "").strip()
    if not reason:
        raise GrantError("Give the reason for revoking: it is kept in the audit log.")
    if grant.revoked_at is not None:
        raise GrantError("That grant was already revoked.")
    grant.revoked_at = utcnow()
    grant.revoked_by_id = admin.id
    _audit("revoke", admin, grant.user, grant=grant, reason=reason)


def record_restricted_query(
    learner: User, grant: RestrictedGrant, sql: str, columns: Sequence[str]
) -> None:
    """Audit one playground submission that reads restricted columns."""
    _audit("query", learner, learner, grant=grant, sql=sql, columns=", ".join(columns))


def record_restricted_notebook(learner: User, grant: RestrictedGrant, path: str) -> None:
    """Audit a granted learner's opening of a notebook in JupyterLab, where their kernels
    read real values: Python there is not parsed, so the opening is what is recorded."""
    _audit("notebook", learner, learner, grant=grant, reason=f"Opened {path} in JupyterLab")


def current_grants() -> list[RestrictedGrant]:
    """Every grant not revoked, newest first (expired ones included, marked by the page)."""
    return list(
        db.session.scalars(
            select(RestrictedGrant)
            .where(RestrictedGrant.revoked_at.is_(None))
            .order_by(RestrictedGrant.granted_at.desc(), RestrictedGrant.id.desc())
        )
    )


def audit_log(limit: int = 200) -> list[RestrictedAudit]:
    """The newest entries of the audit log."""
    return list(
        db.session.scalars(
            select(RestrictedAudit)
            .order_by(RestrictedAudit.at.desc(), RestrictedAudit.id.desc())
            .limit(limit)
        )
    )


def _audit(action: str, actor: User, subject: User, **fields) -> None:
    grant = fields.pop("grant", None)
    db.session.add(
        RestrictedAudit(
            action=action,
            actor_id=actor.id,
            actor_email=actor.email,
            subject_id=subject.id,
            subject_email=subject.email,
            grant_id=grant.id if grant else None,
            **fields,
        )
    )

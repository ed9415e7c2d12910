"""Which playground serves a learner's submission, and what of it is audited.

Without a grant a learner's SQL runs in the ordinary playground, whose
workers can read only the masked lake: restricted columns read
``[restricted]`` and nothing is audited, since nothing restricted is shown.
With a grant it runs in the restricted playground, and each submission that
reads a restricted column is audited; one that would copy restricted values
(CREATE ... AS, INSERT, COPY) is refused, because the learner's ``user`` zone
outlives the grant and is mounted in their notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import User
from app.lake.engine import playground_engine
from app.lake.models import RestrictedGrant
from app.lake.playground import Playground
from app.lake.playground import types as t
from app.lake.privacy.detect import RestrictedReads, restricted_reads
from app.lake.privacy.grants import active_grant, record_restricted_query

COPY_REFUSED = (
    "Restricted columns can be read here but not copied: a statement that writes "
    "(CREATE ... AS, INSERT, COPY) may not read raw or transient personal data."
)


@dataclass(frozen=True)
class Access:
    """Where one submission runs, under which grant, and what it reads of the tier."""

    playground: Playground
    grant: RestrictedGrant | None = None
    reads: RestrictedReads = RestrictedReads()

    @property
    def refusal(self) -> t.QueryResult | None:
        """The result to show instead of running, for a copy of restricted data."""
        return t.failed(t.REFUSED, COPY_REFUSED) if self.grant and self.reads.copies else None

    def audit(self, learner: User, sql: str) -> None:
        """Record the submission if a granted learner's SQL reads restricted columns."""
        if self.grant is not None and self.reads.columns:
            record_restricted_query(learner, self.grant, sql, self.reads.columns)


def playground_for(learner: User, sql: str) -> Access:
    """The playground ``learner``'s ``sql`` runs in: restricted only under a grant in force."""
    grant = active_grant(learner)
    if grant is None:
        return Access(playground_engine.get())
    return Access(playground_engine.restricted(), grant, restricted_reads(sql))

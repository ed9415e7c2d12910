"""when each submission was last handed to the queue, so recovery re-sends it once per wait

A lost message (a broker restarted without persistence, a web process killed
with the submission in memory) is handed out again after a lease margin; with
this time recorded, each waiting submission is re-sent once per margin by one
process, instead of by every process at every recovery run.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions') as batch_op:
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
    # Waiting submissions were handed out when they were created.
    op.execute("UPDATE submissions SET queued_at = created_at WHERE status = 'queued'")


def downgrade():
    with op.batch_alter_table('submissions') as batch_op:
        batch_op.drop_column('queued_at')

"""a lease and a try count on each submission, so every submission finishes once

A grader claims a queued submission with a conditional UPDATE (only one can
win) and holds it until ``lease_until``; when a grader dies the lease lapses
and the submission is queued again, up to a few tries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:20:00

"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions') as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('tries', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('submissions') as batch_op:
        batch_op.drop_column('tries')
        batch_op.drop_column('lease_until')

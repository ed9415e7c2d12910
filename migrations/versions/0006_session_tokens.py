"""a session token per account, so signing out ends the session on the server

Session and remember cookies carry ``id:token``; signing out replaces the
token, so a copied cookie stops working. Existing cookies (plain ids) are
refused once after the upgrade: everyone signs in again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('session_token')

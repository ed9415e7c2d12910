"""the lake's restricted tier: admins' grants to read personal data, and its audit log

A grant records who may read the restricted columns, who granted it and why;
the audit log records each grant, each revoke and each playground query that
read a restricted column. Neither is ever deleted by the app.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:00:00

"""

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'restricted_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_restricted_grants_user_id_users'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['granted_by_id'], ['users.id'],
            name=op.f('fk_restricted_grants_granted_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['revoked_by_id'], ['users.id'],
            name=op.f('fk_restricted_grants_revoked_by_id_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_restricted_grants')),
    )
    op.create_index(
        'ix_restricted_grants_user', 'restricted_grants', ['user_id', 'revoked_at'], unique=False
    )
    op.create_table(
        'restricted_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_email', sa.String(length=254), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('subject_email', sa.String(length=254), nullable=False),
        sa.Column('grant_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('sql', sa.Text(), nullable=True),
        sa.Column('columns', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['actor_id'], ['users.id'],
            name=op.f('fk_restricted_audit_actor_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['subject_id'], ['users.id'],
            name=op.f('fk_restricted_audit_subject_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['grant_id'], ['restricted_grants.id'],
            name=op.f('fk_restricted_audit_grant_id_restricted_grants'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_restricted_audit')),
    )
    op.create_index('ix_restricted_audit_at', 'restricted_audit', ['at'], unique=False)


def downgrade():
    op.drop_index('ix_restricted_audit_at', table_name='restricted_audit')
    op.drop_table('restricted_audit')
    op.drop_index('ix_restricted_grants_user', table_name='restricted_grants')
    op.drop_table('restricted_grants')

"""modules keep their instructors' kit beside the body

`academy sync` stores each module's kit (courses/kits/<code>.md) as Markdown
and sanitised HTML, as it stores the body; the module page shows it to
instructors and admins only. Existing rows get an empty kit until the next sync.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('modules') as batch_op:
        batch_op.add_column(sa.Column('kit_markdown', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('kit_html', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('modules') as batch_op:
        batch_op.drop_column('kit_html')
        batch_op.drop_column('kit_markdown')

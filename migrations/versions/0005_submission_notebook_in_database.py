"""keep each submission's notebook in the database

Grading workers may run on other machines (Celery), so the upload moves from
the web server's instance folder into the submissions table. Files already
uploaded are copied in; a file that is gone leaves an empty notebook, which
grades as "not a notebook" rather than failing the upgrade.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

submissions = sa.table(
    'submissions',
    sa.column('id', sa.Integer),
    sa.column('upload_path', sa.String),
    sa.column('notebook', sa.LargeBinary),
)


def _read(path):
    try:
        with open(path, 'rb') as upload:
            return upload.read()
    except OSError:
        return b''


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notebook', sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(submissions.c.id, submissions.c.upload_path)).all()
    for submission_id, path in rows:
        connection.execute(
            submissions.update()
            .where(submissions.c.id == submission_id)
            .values(notebook=_read(path))
        )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('notebook', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('upload_path')


def downgrade():
    # The files are not written back: downgraded rows point at no file and grade as empty.
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('upload_path', sa.String(length=500), nullable=False, server_default='')
        )
        batch_op.drop_column('notebook')

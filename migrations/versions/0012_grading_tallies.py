"""the results page's totals: per exercise, per question, and who has a graded attempt

Counted from the graded submissions already there (their result JSON read once
here), then kept by each recorded grade (app/grading/tallies.py).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:00:00

"""

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    exercises = op.create_table(
        'exercise_tallies',
        sa.Column('exercise_id', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('learners', sa.Integer(), nullable=False),
        sa.Column('passers', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('exercise_id', name=op.f('pk_exercise_tallies')),
    )
    questions = op.create_table(
        'question_tallies',
        sa.Column('exercise_id', sa.String(length=64), nullable=False),
        sa.Column('question_id', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('passes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('exercise_id', 'question_id', name=op.f('pk_question_tallies')),
    )
    learners = op.create_table(
        'exercise_learners',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('exercise_id', sa.String(length=64), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_exercise_learners_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', 'exercise_id', name=op.f('pk_exercise_learners')),
    )
    _count_what_is_there(exercises, questions, learners)


def _count_what_is_there(exercises, questions, learners):
    submissions = sa.table(
        'submissions',
        sa.column('user_id', sa.Integer),
        sa.column('exercise_id', sa.String),
        sa.column('status', sa.String),
        sa.column('passed', sa.Boolean),
        sa.column('result_json', sa.Text),
    )
    attempts = defaultdict(int)
    per_question = defaultdict(lambda: [0, 0])
    passed_by = {}
    rows = op.get_bind().execute(
        sa.select(
            submissions.c.user_id,
            submissions.c.exercise_id,
            submissions.c.passed,
            submissions.c.result_json,
        ).where(submissions.c.status == 'graded')
    )
    for user_id, exercise_id, passed, result_json in rows:
        attempts[exercise_id] += 1
        key = (user_id, exercise_id)
        passed_by[key] = passed_by.get(key, False) or bool(passed)
        for question in json.loads(result_json or '{}').get('questions', []):
            tally = per_question[exercise_id, question['id']]
            tally[0] += 1
            tally[1] += 1 if question['passed'] else 0
    op.bulk_insert(learners, [
        {'user_id': user, 'exercise_id': exercise, 'passed': passed}
        for (user, exercise), passed in passed_by.items()
    ])
    op.bulk_insert(exercises, [
        {
            'exercise_id': exercise,
            'attempts': n,
            'learners': sum(1 for (_, e) in passed_by if e == exercise),
            'passers': sum(1 for (_, e), p in passed_by.items() if e == exercise and p),
        }
        for exercise, n in attempts.items()
    ])
    op.bulk_insert(questions, [
        {'exercise_id': exercise, 'question_id': question, 'attempts': n, 'passes': passes}
        for (exercise, question), (n, passes) in per_question.items()
    ])


def downgrade():
    op.drop_table('exercise_learners')
    op.drop_table('question_tallies')
    op.drop_table('exercise_tallies')

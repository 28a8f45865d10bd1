"""memory_history: the applied extraction candidate gets its own column

Until now the candidate's key was appended to the human-readable reason ("new memory;
candidate add|fact|location|lives in paris"). Existing rows are split into the two columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TAG = "; candidate "
_history = sa.table(
    "memory_history",
    sa.column("id", sa.Integer),
    sa.column("reason", sa.Text),
    sa.column("candidate_key", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("memory_history") as batch_op:
        batch_op.add_column(sa.Column("candidate_key", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_history.c.id, _history.c.reason).where(_history.c.reason.contains(_TAG))
    ).all()
    for row_id, reason in rows:
        text, key = reason.rsplit(_TAG, 1)
        bind.execute(
            _history.update().where(_history.c.id == row_id).values(reason=text, candidate_key=key)
        )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_history.c.id, _history.c.reason, _history.c.candidate_key).where(
            _history.c.candidate_key.is_not(None)
        )
    ).all()
    for row_id, reason, key in rows:
        bind.execute(
            _history.update().where(_history.c.id == row_id).values(reason=f"{reason}{_TAG}{key}")
        )
    with op.batch_alter_table("memory_history") as batch_op:
        batch_op.drop_column("candidate_key")

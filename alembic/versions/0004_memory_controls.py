"""memory: "don't mention this again" (suppressed_at) and project scope (project)

A suppressed memory stays valid, in history and in exports, but is never put in a prompt.
A memory with a project is read only by chats of that project.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("memory") as batch_op:
        batch_op.add_column(
            sa.Column("suppressed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("project", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("memory") as batch_op:
        batch_op.drop_column("project")
        batch_op.drop_column("suppressed_at")

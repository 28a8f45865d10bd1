"""steer_proposal: constraints the background model parse proposed, pending the user's word

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "steer_proposal",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tenant_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source_turn_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("constraint_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("turns_seen", sa.Integer(), nullable=False),
        sa.Column("accept_after", sa.Integer(), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cid", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("steer_proposal") as batch_op:
        batch_op.create_index("ix_steer_proposal_tenant_id", ["tenant_id"])
        batch_op.create_index("ix_steer_proposal_user_id", ["user_id"])
        batch_op.create_index("ix_steer_proposal_user_status", ["user_id", "status"])


def downgrade() -> None:
    op.drop_table("steer_proposal")

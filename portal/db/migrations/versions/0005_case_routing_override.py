"""case routing override

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 05:21:27.700421
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_routing_override",
        sa.Column("case_type", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("due_in_days", sa.Integer(), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_id"], ["staff_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("case_type"),
    )


def downgrade() -> None:
    op.drop_table("case_routing_override")

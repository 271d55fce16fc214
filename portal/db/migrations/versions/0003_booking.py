"""booking

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:54:31.330517
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("interpreter_language", sa.String(length=100), nullable=True),
        sa.Column("interpreter_dialect", sa.String(length=100), nullable=True),
        sa.Column("interpreter_mode", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("manage_token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("manage_token_hash"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "office_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("office_closure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_office_closure_first_day"), ["first_day"], unique=False
        )

    op.create_table(
        "slot_lock",
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("starts_at"),
    )
    op.create_table(
        "desk_reservation",
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("desk", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("starts_at", "desk"),
        sa.UniqueConstraint("booking_id"),
    )


def downgrade() -> None:
    op.drop_table("desk_reservation")
    op.drop_table("slot_lock")
    with op.batch_alter_table("office_closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_closure_first_day"))

    op.drop_table("office_closure")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_starts_at"))
        batch_op.drop_index(batch_op.f("ix_booking_phone"))

    op.drop_table("booking")

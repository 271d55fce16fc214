"""private links for the life of a case: retired links, the booking form's key, the status
link's seed, public message caps, heartbeats

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 22:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retired_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column(
            "retired_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["draft_id"], ["registration_draft.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("retired_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retired_link_booking_id"), ["booking_id"])
        batch_op.create_index(batch_op.f("ix_retired_link_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_retired_link_draft_id"), ["draft_id"])
    op.create_table(
        "heartbeat",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_key_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_booking_form_key_hash", ["form_key_hash"])
    with op.batch_alter_table("registration_draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_seed", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("email_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_registration_draft_phone_hash"), ["phone_hash"])
        batch_op.create_index(batch_op.f("ix_registration_draft_email_hash"), ["email_hash"])
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "requested_by_public", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    # Drafts still being filled in get their seed now; a draft sent before this migration keeps
    # none, and its receipt offers to send the status link again instead of showing it. The
    # contact hashes are written when a contact page is saved from now on (they need the secret
    # key): a draft whose contact page was saved before cannot be found by its contact.
    drafts = sa.table(
        "registration_draft", sa.column("id"), sa.column("status_seed"), sa.column("case_id")
    )
    connection = op.get_bind()
    for (draft_id,) in connection.execute(sa.select(drafts.c.id).where(drafts.c.case_id.is_(None))):
        connection.execute(
            drafts.update()
            .where(drafts.c.id == draft_id)
            .values(status_seed=secrets.token_urlsafe(32))
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("requested_by_public")
    with op.batch_alter_table("registration_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_draft_email_hash"))
        batch_op.drop_index(batch_op.f("ix_registration_draft_phone_hash"))
        batch_op.drop_column("email_hash")
        batch_op.drop_column("phone_hash")
        batch_op.drop_column("status_seed")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_constraint("uq_booking_form_key_hash", type_="unique")
        batch_op.drop_column("form_key_hash")
    op.drop_table("heartbeat")
    with op.batch_alter_table("retired_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retired_link_draft_id"))
        batch_op.drop_index(batch_op.f("ix_retired_link_case_id"))
        batch_op.drop_index(batch_op.f("ix_retired_link_booking_id"))
    op.drop_table("retired_link")

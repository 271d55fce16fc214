"""staff side

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:36:06.094897
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=30), nullable=True),
        sa.Column("target_id", sa.String(length=40), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["staff_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_target_id"), ["target_id"], unique=False)

    op.create_table(
        "staff_department",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["staff_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "department"),
    )
    op.create_table(
        "staff_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["staff_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("staff_recovery_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_recovery_code_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("attendance_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_case_events_author_id", "staff_account", ["author_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applicant_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("interpreter_language", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("unread_answer", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f("ix_cases_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(
            "ix_cases_department_status_due", ["department", "status", "due_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_due_date"), ["due_date"], unique=False)
        batch_op.create_foreign_key(
            "fk_cases_assignee_id", "staff_account", ["assignee_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_last_counter", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
        )
    _copy_data_forward()
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.drop_column("department")


def _copy_data_forward() -> None:
    """An account's one department becomes a membership; cases get the applicant's name and
    interpreter language that the queue shows."""
    op.execute(
        "INSERT INTO staff_department (account_id, department) "
        "SELECT id, department FROM staff_account WHERE department IS NOT NULL"
    )
    connection = op.get_bind()
    registration = sa.table(
        "registration",
        sa.column("case_id", sa.Integer),
        sa.column("answers", sa.JSON),
        sa.column("interpreter_language", sa.String),
    )
    cases = sa.table(
        "cases",
        sa.column("id", sa.Integer),
        sa.column("applicant_name", sa.String),
        sa.column("interpreter_language", sa.String),
    )
    for case_id, answers, language in connection.execute(
        sa.select(
            registration.c.case_id, registration.c.answers, registration.c.interpreter_language
        )
    ):
        name = ((answers or {}).get("registrant") or {}).get("name")
        connection.execute(
            cases.update()
            .where(cases.c.id == case_id)
            .values(applicant_name=name, interpreter_language=language)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department", sa.VARCHAR(length=50), nullable=True))
    op.execute(
        "UPDATE staff_account SET department = (SELECT MIN(department) FROM staff_department "
        "WHERE staff_department.account_id = staff_account.id)"
    )
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.drop_column("session_version")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("totp_last_counter")
        batch_op.drop_column("totp_confirmed_at")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("must_change_password")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("fk_cases_assignee_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_due_date"))
        batch_op.drop_index("ix_cases_department_status_due")
        batch_op.drop_index(batch_op.f("ix_cases_assignee_id"))
        batch_op.drop_column("unread_answer")
        batch_op.drop_column("assignee_id")
        batch_op.drop_column("interpreter_language")
        batch_op.drop_column("applicant_name")

    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_events_author_id", type_="foreignkey")
        batch_op.drop_column("author_id")

    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("attendance_at")
        batch_op.drop_column("attendance")

    with op.batch_alter_table("staff_recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_recovery_code_account_id"))

    op.drop_table("staff_recovery_code")
    op.drop_table("staff_department")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_target_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")

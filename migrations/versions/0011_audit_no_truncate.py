"""audit log: TRUNCATE refused too (PostgreSQL)

The row triggers of 0008 refuse UPDATE and DELETE, but TRUNCATE fires no row trigger: one
statement emptied the audit log. A statement-level trigger refuses it (and so a TRUNCATE of
another table that cascades into audit_events). SQLite has no TRUNCATE.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 00:30:00

"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")

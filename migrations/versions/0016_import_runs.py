"""import runs' state in the database (PostgreSQL), for web workers on several machines

An upload's run kept its progress and report in a JSON file of the instance folder, which only the
machine that took the upload could read. On PostgreSQL the state is a row here, saved by the run in
short transactions of its own; SQLite keeps the files.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 18:00:00

"""

import sqlalchemy as sa
from alembic import op

import protocol_monitor.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_import_runs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_updated_at"), ["updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_runs_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_runs_user_id"))
        batch_op.drop_index(batch_op.f("ix_import_runs_updated_at"))
    op.drop_table("import_runs")

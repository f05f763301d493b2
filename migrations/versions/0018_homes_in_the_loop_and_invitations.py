"""homes in the loop and invitations (issue 14)

An action can be owned by a home (actions.owner_home_id); each person chooses which emails about
their homes' records they get (users.email_flags, email_reviews, email_actions); an
administrator invites a person by a single-use link (invitations, the link stored as a hash).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 05:30:00

"""

import sqlalchemy as sa
from alembic import op

import protocol_monitor.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no copy of the table, which SQLite's foreign keys to users and actions
    # would refuse once they hold rows).
    if op.get_bind().dialect.name == "sqlite":  # SQLite takes the reference inline only
        op.execute(
            "ALTER TABLE actions ADD COLUMN owner_home_id INTEGER "
            "CONSTRAINT fk_actions_owner_home_id_homes REFERENCES homes (id)"
        )
    else:
        op.add_column("actions", sa.Column("owner_home_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_actions_owner_home_id_homes"), "actions", "homes", ["owner_home_id"], ["id"]
        )
    op.create_index(op.f("ix_actions_owner_home_id"), "actions", ["owner_home_id"])
    for name in ("email_flags", "email_reviews", "email_actions"):
        op.add_column(
            "users", sa.Column(name, sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_invitations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_invitations_invited_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_user_id"))
    op.drop_table("invitations")
    for name in ("email_actions", "email_reviews", "email_flags"):
        op.drop_column("users", name)
    op.drop_index(op.f("ix_actions_owner_home_id"), table_name="actions")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_actions_owner_home_id_homes"), "actions", type_="foreignkey")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("owner_home_id")

"""saved forms: drafts and held submissions

What a person typed and has not filed: a draft they saved, or a form that arrived after their
session ended, held for them to sign in again and carry on (issue 14).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 04:21:01.012814

"""

import sqlalchemy as sa
from alembic import op

import protocol_monitor.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=True),
        sa.Column("callout_id", sa.Integer(), nullable=True),
        sa.Column("home_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('draft', 'held')", name=op.f("ck_saved_forms_purpose_values")
        ),
        sa.CheckConstraint(
            "form IN ('callout', 'police_record', 'review')",
            name=op.f("ck_saved_forms_form_values"),
        ),
        sa.ForeignKeyConstraint(
            ["callout_id"],
            ["callouts.id"],
            name=op.f("fk_saved_forms_callout_id_callouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["home_id"],
            ["homes.id"],
            name=op.f("fk_saved_forms_home_id_homes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_forms_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_forms")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_saved_forms_key_hash")),
    )
    with op.batch_alter_table("saved_forms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_forms_updated_at"), ["updated_at"], unique=False)
        batch_op.create_index("ix_saved_forms_user_purpose", ["user_id", "purpose"], unique=False)


def downgrade():
    with op.batch_alter_table("saved_forms", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_forms_user_purpose")
        batch_op.drop_index(batch_op.f("ix_saved_forms_updated_at"))

    op.drop_table("saved_forms")

"""languages: each person's (en, cy), each alert channel's (en, cy, both), authorities' Welsh names

The services check the values (columns added without CHECK constraints: on SQLite a constraint
would rebuild users and channel_settings, which other tables refer to).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 10:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=2), server_default="en", nullable=False)
        )
    with op.batch_alter_table("channel_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=4), server_default="en", nullable=False)
        )
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_cy", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("authorities", schema=None) as batch_op:
        batch_op.drop_column("name_cy")
    with op.batch_alter_table("channel_settings", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")

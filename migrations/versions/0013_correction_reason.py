"""corrections: the reason a person gave for correcting a report

Free text like the report's own: shown only to roles that read free text, withheld from the
audit log, removed by retention with the rest of the call-out's detail.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_revisions") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("report_revisions") as batch:
        batch.drop_column("reason")

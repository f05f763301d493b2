"""the monthly call-out facts indexed by home and by placing authority, then month

The rolling twelve months of a compiled month add up each home's (and each placing authority's)
months: one index range each, no sort (services.monthly_facts.callouts_per).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 06:50:00

"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_ft_monthly_callouts_home_month",
        "ft_monthly_callouts",
        ["home_id", "month", "callouts"],
        unique=False,
    )
    op.create_index(
        "ix_ft_monthly_callouts_placing_month",
        "ft_monthly_callouts",
        ["placing_authority_id", "month", "callouts"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_ft_monthly_callouts_placing_month", table_name="ft_monthly_callouts")
    op.drop_index("ix_ft_monthly_callouts_home_month", table_name="ft_monthly_callouts")

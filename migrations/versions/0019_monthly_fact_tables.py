"""the monthly fact tables: one source for every figure counted from call-outs

ft_monthly_callouts counts each (month, home, placing authority)'s call-outs: in scope, missing
or absent, arrests, criminal outcomes, reviewed, and each protocol_applied answer.
ft_monthly_children counts each child's in-scope call-outs at each home in each month. Kept by
services.monthly_facts in the transaction that changes call-outs or reviews; filled here from the
call-outs already stored.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PROTOCOL = ("appropriate", "partly", "not_appropriate", "insufficient_information")


def upgrade():
    op.create_table(
        "ft_monthly_callouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("home_id", sa.Integer(), nullable=False),
        sa.Column("placing_authority_id", sa.Integer(), nullable=True),
        sa.Column("callouts", sa.Integer(), nullable=False),
        sa.Column("missing_excluded", sa.Integer(), nullable=False),
        sa.Column("arrests", sa.Integer(), nullable=False),
        sa.Column("criminal_outcomes", sa.Integer(), nullable=False),
        sa.Column("reviewed", sa.Integer(), nullable=False),
        *(sa.Column(f"protocol_{slug}", sa.Integer(), nullable=False) for slug in PROTOCOL),
        sa.ForeignKeyConstraint(
            ["home_id"], ["homes.id"], name=op.f("fk_ft_monthly_callouts_home_id_homes")
        ),
        sa.ForeignKeyConstraint(
            ["placing_authority_id"],
            ["authorities.id"],
            name=op.f("fk_ft_monthly_callouts_placing_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ft_monthly_callouts")),
    )
    op.create_index(
        "ix_ft_monthly_callouts_month_home",
        "ft_monthly_callouts",
        ["month", "home_id", "placing_authority_id", "callouts"],
        unique=False,
    )
    op.create_table(
        "ft_monthly_children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("home_id", sa.Integer(), nullable=False),
        sa.Column("placing_authority_id", sa.Integer(), nullable=True),
        sa.Column("child_reference", sa.String(length=40), nullable=False),
        sa.Column("callouts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["home_id"], ["homes.id"], name=op.f("fk_ft_monthly_children_home_id_homes")
        ),
        sa.ForeignKeyConstraint(
            ["placing_authority_id"],
            ["authorities.id"],
            name=op.f("fk_ft_monthly_children_placing_authority_id_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ft_monthly_children")),
    )
    op.create_index(
        "ix_ft_monthly_children_month_home",
        "ft_monthly_children",
        ["month", "home_id"],
        unique=False,
    )
    protocol = ", ".join(f"protocol_{slug}" for slug in PROTOCOL)
    protocol_counts = ", ".join(
        f"SUM(CASE WHEN c.in_scope AND r.protocol_applied = '{slug}' THEN 1 ELSE 0 END)"
        for slug in PROTOCOL
    )
    op.execute(
        "INSERT INTO ft_monthly_callouts (month, home_id, placing_authority_id, callouts, "
        f"missing_excluded, arrests, criminal_outcomes, reviewed, {protocol}) "
        "SELECT c.month, c.home_id, c.placing_authority_id, "
        "SUM(CASE WHEN c.in_scope THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.in_scope THEN 0 ELSE 1 END), "
        "SUM(CASE WHEN c.in_scope AND c.arrested THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.in_scope AND c.criminal_outcome THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.in_scope AND r.id IS NOT NULL THEN 1 ELSE 0 END), "
        f"{protocol_counts} "
        "FROM callouts c LEFT JOIN reviews r ON r.callout_id = c.id "
        "GROUP BY c.month, c.home_id, c.placing_authority_id"
    )
    op.execute(
        "INSERT INTO ft_monthly_children (month, home_id, placing_authority_id, "
        "child_reference, callouts) "
        "SELECT month, home_id, placing_authority_id, child_reference, COUNT(*) FROM callouts "
        "WHERE in_scope AND child_reference IS NOT NULL AND child_reference <> '' "
        "GROUP BY month, home_id, placing_authority_id, child_reference"
    )


def downgrade():
    op.drop_index("ix_ft_monthly_children_month_home", table_name="ft_monthly_children")
    op.drop_table("ft_monthly_children")
    op.drop_index("ix_ft_monthly_callouts_month_home", table_name="ft_monthly_callouts")
    op.drop_table("ft_monthly_callouts")

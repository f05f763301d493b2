"""single sign-on

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 23:19:10.529576

"""

import sqlalchemy as sa
from alembic import op

import protocol_monitor.db

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret_sealed", sa.Text(), nullable=True),
        sa.Column("allowed_tenant_ids", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("password_sign_in", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("require_mfa_claim", sa.Boolean(), nullable=False),
        sa.Column("scim_token_hash", sa.String(length=64), nullable=True),
        sa.Column("scim_token_prefix", sa.String(length=16), nullable=True),
        sa.Column(
            "scim_token_issued_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_providers")),
        sa.UniqueConstraint("name", name=op.f("uq_identity_providers_name")),
        sa.UniqueConstraint("scim_token_hash", name=op.f("uq_identity_providers_scim_token_hash")),
    )
    op.create_table(
        "group_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("police_force_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('provider', 'police', 'authority', 'group', 'admin')",
            name=op.f("ck_group_mappings_role_vocab"),
        ),
        sa.ForeignKeyConstraint(
            ["police_force_id"],
            ["police_forces.id"],
            name=op.f("fk_group_mappings_police_force_id_police_forces"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
            name=op.f("fk_group_mappings_provider_id_identity_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_mappings")),
        sa.UniqueConstraint(
            "provider_id", "group_id", name=op.f("uq_group_mappings_provider_id_group_id")
        ),
    )
    with op.batch_alter_table("group_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_mappings_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "external_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("bound_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_signed_in_at", protocol_monitor.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_amr", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
            name=op.f("fk_external_identities_provider_id_identity_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_external_identities_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identities")),
        sa.UniqueConstraint(
            "provider_id",
            "tenant_id",
            "subject",
            name=op.f("uq_external_identities_provider_id_tenant_id_subject"),
        ),
        sa.UniqueConstraint(
            "provider_id", "user_id", name=op.f("uq_external_identities_provider_id_user_id")
        ),
    )
    with op.batch_alter_table("external_identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_identities_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "group_mapping_authorities",
        sa.Column("mapping_id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["authorities.id"],
            name=op.f("fk_group_mapping_authorities_authority_id_authorities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["group_mappings.id"],
            name=op.f("fk_group_mapping_authorities_mapping_id_group_mappings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "mapping_id", "authority_id", name=op.f("pk_group_mapping_authorities")
        ),
    )
    op.create_table(
        "group_mapping_homes",
        sa.Column("mapping_id", sa.Integer(), nullable=False),
        sa.Column("home_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["home_id"],
            ["homes.id"],
            name=op.f("fk_group_mapping_homes_home_id_homes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["group_mappings.id"],
            name=op.f("fk_group_mapping_homes_mapping_id_group_mappings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mapping_id", "home_id", name=op.f("pk_group_mapping_homes")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity_provider_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("password_sign_in", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "role_source", sa.String(length=20), server_default="administrator", nullable=False
            )
        )
        batch_op.add_column(sa.Column("scim_external_id", sa.String(length=255), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_users_identity_provider_id"), ["identity_provider_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_users_identity_provider_id_identity_providers"),
            "identity_providers",
            ["identity_provider_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "role_source_values", "role_source IN ('administrator', 'group', 'awaiting')"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_identity_provider_id_scim_external_id"),
            ["identity_provider_id", "scim_external_id"],
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_users_identity_provider_id_scim_external_id"), type_="unique"
        )
        batch_op.drop_constraint("role_source_values", type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_users_identity_provider_id_identity_providers"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_users_identity_provider_id"))
        batch_op.drop_column("scim_external_id")
        batch_op.drop_column("role_source")
        batch_op.drop_column("password_sign_in")
        batch_op.drop_column("identity_provider_id")

    op.drop_table("group_mapping_homes")
    op.drop_table("group_mapping_authorities")
    with op.batch_alter_table("external_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_identities_user_id"))

    op.drop_table("external_identities")
    with op.batch_alter_table("group_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_mappings_provider_id"))

    op.drop_table("group_mappings")
    op.drop_table("identity_providers")

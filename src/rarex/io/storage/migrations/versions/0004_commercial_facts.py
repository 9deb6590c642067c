"""commercial facts: sales and inventory per dataset version

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commercial_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_commercial_uploads_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_commercial_uploads_uploaded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_commercial_uploads_version_id_dataset_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commercial_uploads")),
    )
    with op.batch_alter_table("commercial_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commercial_uploads_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_commercial_uploads_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "inventory_rows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.String(length=200), nullable=False),
        sa.Column("on_hand", sa.Numeric(precision=30, scale=12), nullable=False),
        sa.Column("monthly_usage", sa.Numeric(precision=30, scale=12), nullable=True),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["commercial_uploads.id"],
            name=op.f("fk_inventory_rows_upload_id_commercial_uploads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_rows")),
    )
    with op.batch_alter_table("inventory_rows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_rows_upload_id"), ["upload_id"], unique=False
        )

    op.create_table(
        "sales_rows",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=200), nullable=False),
        sa.Column("annual_volume", sa.Numeric(precision=30, scale=12), nullable=False),
        sa.Column("annual_revenue", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["commercial_uploads.id"],
            name=op.f("fk_sales_rows_upload_id_commercial_uploads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_rows")),
    )
    with op.batch_alter_table("sales_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_rows_upload_id"), ["upload_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sales_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_rows_upload_id"))

    op.drop_table("sales_rows")
    with op.batch_alter_table("inventory_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_rows_upload_id"))

    op.drop_table("inventory_rows")
    with op.batch_alter_table("commercial_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commercial_uploads_version_id"))
        batch_op.drop_index(batch_op.f("ix_commercial_uploads_org_id"))

    op.drop_table("commercial_uploads")

"""screening jobs' progress stored, so that every server process can answer for them

Revision ID: 0007
Revises: 0006

A screening job used to be known only to the server process that ran it; with several
processes (``rarex serve --workers N``) its progress would be asked of one that does not
know it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_screening_jobs_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_jobs")),
    )
    with op.batch_alter_table("screening_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_jobs_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("screening_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_jobs_org_id"))
    op.drop_table("screening_jobs")

"""who submitted an application; how each audit event was hashed

Revision ID: 0006
Revises: 0005

``applications.submitted_by`` records who submitted an application, so that a second person
approves it and records its licence. Applications submitted before this revision get the
submitter their audit trail names (the actor of their newest ``application.submit`` event).

``audit_events.scheme`` says how an event's hash was made: ``hmac-sha256`` (keyed with
RAREX_AUDIT_KEY) or ``sha256`` (a bare hash). Events written before this revision are bare.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BACKFILL_SUBMITTER = """
UPDATE applications SET submitted_by = (
    SELECT users.id FROM audit_events JOIN users ON users.email = audit_events.actor
    WHERE audit_events.org_id = applications.org_id
      AND users.org_id = applications.org_id
      AND audit_events.entity = 'application'
      AND audit_events.entity_id = CAST(applications.id AS VARCHAR(100))
      AND audit_events.action = 'application.submit'
    ORDER BY audit_events.seq DESC
    LIMIT 1
)
WHERE submitted_on IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_applications_submitted_by_users"), "users", ["submitted_by"], ["id"]
        )
    op.execute(BACKFILL_SUBMITTER)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scheme", sa.String(length=20), server_default="sha256", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("scheme")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_applications_submitted_by_users"), type_="foreignkey"
        )
        batch_op.drop_column("submitted_by")

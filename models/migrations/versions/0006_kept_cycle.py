"""kept cycle: an opened collection keeps its opening, reminder, agenda and meeting moments

Revision ID: 0006_kept_cycle
Revises: 0004_topics
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0006_kept_cycle"
down_revision = "0004_topics"
branch_labels = None
depends_on = None

COLUMNS = ("opens_at", "reminder_at", "agenda_at", "meeting_at")


def upgrade() -> None:
    with op.batch_alter_table("collections") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("collections") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)

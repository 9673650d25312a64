"""forum topics and pending minutes: the team's topic (teams.thread_id) and minutes that wait
for the bot to be back in the group (meetings.minutes_pending)

Revision ID: 0004_topics
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_topics"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(
            sa.Column("minutes_pending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("minutes_pending")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("thread_id")

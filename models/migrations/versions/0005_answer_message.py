"""answer message: the private message that gave an answer, so that editing it corrects it

Revision ID: 0005_answer_message
Revises: 0006_kept_cycle (chained after it once main had it; the lead may re-chain)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_answer_message"
down_revision = "0006_kept_cycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("answers", sa.Column("message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("message_id")

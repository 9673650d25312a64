"""due moments: each team's next scheduled work, indexed on its time

Revision ID: 0003
Revises: 0002_finite
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0003"
down_revision = "0002_finite"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "due_moments",
        sa.Column("team_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_due_moments_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "kind", name=op.f("pk_due_moments")),
    )
    op.create_index(op.f("ix_due_moments_due_at"), "due_moments", ["due_at"], unique=False)
    # every existing team's moments are computed by the first pass
    op.execute(
        "INSERT INTO due_moments (team_id, kind, due_at) "
        "SELECT id, 'refresh', '1970-01-01 00:00:00' FROM teams"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_due_moments_due_at"), table_name="due_moments")
    op.drop_table("due_moments")

"""stored numbers are finite (a CHECK on answers.value and checkins.pending_value)

Revision ID: 0002_finite
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0002_finite"
down_revision = "0001"
branch_labels = None
depends_on = None

FINITE = "{column} IS NULL OR ({column} NOT LIKE '%NaN%' AND {column} NOT LIKE '%Inf%')"
CHECKS = (("answers", "value"), ("checkins", "pending_value"))


def upgrade() -> None:
    for table, column in CHECKS:
        # Rows written before the check (a crafted button could store NaN) become «нет данных».
        op.execute(f"UPDATE {table} SET {column} = NULL WHERE NOT ({FINITE.format(column=column)})")
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(
                op.f(f"ck_{table}_finite_{column}"), FINITE.format(column=column)
            )


def downgrade() -> None:
    for table, column in CHECKS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_finite_{column}"), type_="check")

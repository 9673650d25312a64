"""The digest's numbers that aren't KPIs: the tasks due within the period."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kpi import Period
from models.tables import Task, Team

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=5)  # a digest later than this says so


async def task_counts(session: AsyncSession, team: Team, period: Period, today: date) -> dict:
    """Tasks due within the period (cancelled ones left out): all, done; open overdue today."""
    due = (Task.team_id == team.id, Task.due >= period.start, Task.due <= period.end)
    rows = dict(
        (
            await session.execute(
                select(Task.status, func.count()).where(*due).group_by(Task.status)
            )
        ).all()
    )
    overdue = await session.scalar(
        select(func.count()).where(Task.team_id == team.id, Task.status == "open", Task.due < today)
    )
    total = sum(n for status, n in rows.items() if status != "cancelled")
    return {"total": total, "done": rows.get("done", 0), "overdue": int(overdue or 0)}

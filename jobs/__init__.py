"""The scheduled work: one module per feature, each with a periodic `run_due(runtime, now)`;
jobs/loop.py runs them (the planner tick). Also the Telegram-side steps the handlers share with
the schedule (posting the agenda, giving the floor, telling a task's owner)."""

from __future__ import annotations

from jobs.loop import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    """Every feature's periodic function, in the order they run within a tick."""
    from jobs import agenda, checkins, digest, meeting, monthly, tasks

    return [
        checkins.run_due,
        digest.run_due,
        agenda.run_due,
        meeting.run_due,
        tasks.run_due,
        monthly.run_due,
    ]

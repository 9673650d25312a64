"""The scheduled work: one module per feature, each with a periodic `run_due(runtime, now)`;
jobs/loop.py runs them (the planner tick). Also the Telegram-side steps the handlers share with
the schedule (posting the agenda, giving the floor, telling a task's owner)."""

from __future__ import annotations

from jobs.loop import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    """The planner's tick: the due-moments pass (each team's opening, reminders, digest,
    agenda and monthly report, as tasks of the engine: jobs/engine.py), then the running
    meetings and the task reminders (each found by its own query)."""
    from jobs import meeting, tasks
    from jobs.engine import due_pass

    return [due_pass, meeting.run_due, tasks.run_due]

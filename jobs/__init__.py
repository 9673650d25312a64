"""The scheduled work: one module per feature, each with its per-team job
`(runtime, team_id, now)` that the due-moments pass runs as a task of the engine (jobs/engine.py)
when the team's moment of that kind comes; jobs/loop.py is the planner tick that runs the pass.
Also the Telegram-side steps the handlers share with the schedule (posting the agenda, giving
the floor, telling a task's owner)."""

from __future__ import annotations

from jobs.loop import PeriodicJob


def periodic_jobs() -> list[PeriodicJob]:
    """The planner's tick: the due-moments pass alone. Each team's opening, reminders, digest,
    agenda, monthly report, running meeting and task reminders are stored moments, taken by one
    indexed query and run as tasks of the engine (jobs/engine.py)."""
    from jobs.engine import due_pass

    return [due_pass]

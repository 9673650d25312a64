"""Every feature is one module with one `router`; `get_routers` lists them in order."""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import (
        away,
        checkin,
        export,
        group_lifecycle,
        help,
        join,
        leads,
        meeting,
        members,
        settings,
        setup,
        stale,
        status,
        summary,
        targets,
        tasks,
    )

    return [
        group_lifecycle.router,
        setup.router,
        meeting.router,
        tasks.router,
        join.router,
        leads.router,
        members.router,
        settings.router,
        status.router,
        away.router,
        summary.router,
        targets.router,
        export.router,
        help.router,
        checkin.router,
        stale.router,
    ]

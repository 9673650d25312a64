"""Every feature is one module with a `setup() -> Router` factory; `get_routers` builds a
fresh set, in order, for each Dispatcher."""

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
        status,
        summary,
        targets,
        tasks,
    )
    from handlers.common import errors

    return [
        errors.setup(),
        group_lifecycle.setup(),
        setup.setup(),
        meeting.setup(),
        tasks.setup(),
        join.setup(),
        leads.setup(),
        members.setup(),
        settings.setup(),
        status.setup(),
        away.setup(),
        summary.setup(),
        targets.setup(),
        export.setup(),
        help.setup(),
        checkin.setup(),
    ]

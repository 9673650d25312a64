"""/targets (leads, in the group): list the plan values in force, or set / remove one.

`/targets [@user] [role] <KPI> <value|off> [period]` — see services.reports.targets for the reading.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from core.runtime import Runtime
from handlers.common.filters import GROUP, PRIVATE
from handlers.common.guards import LEADS_ONLY
from handlers.common.people import pointed_at
from kpi import Period
from models.tables import Target, Team
from services.common import kpi_data
from services.common.clock import team_today
from services.reports import targets as targets_service
from services.reports.targets import TargetCommand
from services.team import rhythm, teams
from views import summary as summary_view
from views.i18n import Translator, escape


def current_period(team: Team, runtime: Runtime) -> Period:
    """Targets start with the period containing today (team time)."""
    return rhythm.period_of(team, team_today(runtime.now(), team.timezone))


def _scope(member_name: str | None, role_code: str | None, t: Translator) -> str:
    role = escape(summary_view.role_title(role_code, t)) if role_code else None
    if member_name and role:
        return t("targets.scope.member_role", name=member_name, role=role)
    if member_name:
        return t("targets.scope.member", name=member_name)
    if role:
        return t("targets.scope.role", role=role)
    return t("targets.scope.team")


def _when(once: bool, team: Team, period: Period, t: Translator) -> str:
    if once:
        return t("targets.when.once", period=summary_view.period_label(team, period, t))
    return t("targets.when.since", date=t.date(period.start))


def _value(row_value, code: str, team: Team, t: Translator) -> str:
    return summary_view.fmt(row_value, kpi.metric(code).unit, t, team.currency)


async def listing(session: AsyncSession, team: Team, period: Period, t: Translator) -> str:
    rows = await kpi_data.targets_in_force(session, team, period)
    members = {m.id: m for m in await teams.members(session, team, active_only=False)}
    lines = [t("targets.header", period=summary_view.period_label(team, period, t))]
    groups: dict[tuple[int | None, str | None], list[Target]] = {}
    for row in sorted(rows, key=lambda r: (r.member_id or 0, r.role_code or "", r.id)):
        groups.setdefault((row.member_id, row.role_code), []).append(row)
    if not groups:
        lines.append(t("targets.none"))
    for (member_id, role_code), items in groups.items():
        name = summary_view.name(members[member_id]) if member_id in members else None
        lines += ["", t("targets.group", scope=_scope(name, role_code, t))]
        for row in items:
            k = kpi.metric(row.kpi_code)
            once = row.valid_to is not None
            lines.append(
                t(
                    "targets.item",
                    title=escape(k.titles[t.locale]),
                    code=row.kpi_code,
                    value=_value(row.value, row.kpi_code, team, t),
                    when=_when(
                        once,
                        team,
                        period if once else Period(row.valid_from, row.valid_from),
                        t,
                    ),
                )
            )
    held = [c for m in members.values() if m.active for c in m.role_codes]
    codes = [k.code for k in targets_service.team_kpis(dict.fromkeys(held))]
    if codes:
        lines += ["", t("targets.codes", codes=", ".join(codes))]
    lines += ["", t("targets.help")]
    return "\n".join(lines)


def confirmation(command: TargetCommand, team: Team, period: Period, t: Translator) -> str:
    name = summary_view.name(command.member) if command.member else None
    scope = _scope(name, command.role_code, t)
    title = escape(kpi.metric(command.kpi.code).titles[t.locale])
    when = _when(command.one_period, team, period, t)
    if command.value is None:
        return t("targets.cleared", scope=scope, title=title, when=when)
    value = _value(command.value, command.kpi.code, team, t)
    return t("targets.saved", scope=scope, title=title, value=value, when=when)


async def in_private(message: Message, t: Translator) -> None:
    await message.answer(t("targets.group_only"))


async def targets(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    team: Team,
    t: Translator,
    runtime: Runtime,
) -> None:
    period = current_period(team, runtime)
    if not (command.args or "").strip():
        await message.answer(await listing(session, team, period, t))
        return
    mentioned, reply_user_id, args = pointed_at(message, command.args or "")
    parsed = await targets_service.read_command(
        session,
        team,
        args,
        locale=t.locale,
        reply_user_id=reply_user_id,
        mentioned_user_id=mentioned,
    )
    await targets_service.apply(session, team, parsed, period)
    await session.commit()
    await message.answer(confirmation(parsed, team, period, t))


def setup() -> Router:
    """The targets feature's router, new for each Dispatcher."""
    router = Router(name="targets")
    router.message.filter(GROUP | PRIVATE)
    router.message.register(in_private, Command("targets"), PRIVATE)
    router.message.register(targets, Command("targets"), GROUP, flags=LEADS_ONLY)
    return router

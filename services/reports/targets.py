"""Plan values for KPIs: team-wide, for one role or for one member; for one period or from a
period on. Attainment and status everywhere read the target in force (services.reports.summary).

Precedence when several apply: a member's beats a role's, a role's beats the team's; a
one-period target beats an open-ended one; a newer beats an older one.

The /targets command reads as `[@user] [role] <KPI code or title> <value|off> [period]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from kpi import KPI, InputError, Period
from models.tables import Member, Target, Team
from services.common.errors import UserError
from services.team import teams, users

ONE_PERIOD_WORDS = frozenset({"period", "период", "once", "разово"})
CLEAR_WORDS = frozenset({"off", "clear", "delete", "-", "—", "нет", "удалить", "снять"})
SIGNED_UNITS = frozenset({"points"})  # NPS may be negative


@dataclass(frozen=True)
class TargetCommand:
    kpi: KPI
    value: Decimal | None  # None clears
    member: Member | None = None
    role_code: str | None = None
    one_period: bool = False


def pick(
    rows: Iterable[Target], *, member_id: int | None = None, role_code: str | None = None
) -> dict[str, Decimal]:
    """KPI code → value for a scope: the team (no member, no role), a role, or a member (with
    the role the line is for); the most specific row wins."""
    applicable = [
        r
        for r in rows
        if (r.member_id is None or r.member_id == member_id)
        and (r.role_code is None or r.role_code == role_code)
    ]
    applicable.sort(
        key=lambda r: (
            r.member_id is not None,
            r.role_code is not None,
            r.valid_to is not None,
            r.id,
        )
    )
    return {r.kpi_code: r.value for r in applicable}


def team_kpis(role_codes: Iterable[str]) -> list[KPI]:
    """The KPIs of the given roles, each code once, in role order."""
    seen: dict[str, KPI] = {}
    for code in role_codes:
        for item in kpi.role(code).kpis:
            seen.setdefault(item.code, item)
    return list(seen.values())


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def find_kpi(text: str, candidates: Sequence[KPI]) -> KPI:
    """A KPI by its code or its title in either language (case-insensitive), among candidates;
    refused if unknown or not one the team's roles track."""
    wanted = _norm(text)
    for item in candidates:
        names = {item.code, *item.titles.values(), *kpi.metric(item.code).titles.values()}
        if wanted in {_norm(n) for n in names}:
            return item
    # a title's first part is enough when it names one KPI: «CPL» for «CPL, цена лида»
    prefixed = {
        item.code: item
        for item in candidates
        if any(_norm(t).split(",")[0].strip() == wanted for t in item.titles.values())
    }
    if len(prefixed) == 1:
        return next(iter(prefixed.values()))
    try:
        kpi.metric(wanted)
    except KeyError:
        raise UserError("targets.error.unknown_kpi", value=text) from None
    raise UserError("targets.error.not_tracked", value=text)


def parse_value(item: KPI, text: str, locale: str) -> Decimal:
    value = kpi.parse_number(text, locale)
    if value < 0 and item.unit not in SIGNED_UNITS:
        raise UserError("targets.error.negative", value=text)
    return value


def _split_value(words: list[str], locale: str) -> tuple[list[str], str]:
    """The leading words and the longest trailing run of words that reads as one number
    ("cpl 1 200" → ["cpl"], "1 200"); the last word alone when none does."""
    for cut in range(1, len(words)):
        tail = " ".join(words[cut:])
        try:
            kpi.parse_number(tail, locale)
        except InputError:
            continue
        return words[:cut], tail
    return words[:-1], words[-1]


async def read_command(
    session: AsyncSession,
    team: Team,
    args: str,
    *,
    locale: str,
    reply_user_id: int | None = None,
    mentioned_user_id: int | None = None,
) -> TargetCommand:
    who = await users.named(
        session, args, mentioned_user_id=mentioned_user_id, reply_user_id=reply_user_id
    )
    words = who.args.split()
    member: Member | None = None
    if who.user_id is not None:
        member = await teams.member(session, team, who.user_id) if who.user_id else None
        if member is None or not member.active:
            if who.ref:
                raise UserError("targets.error.not_member", value=who.ref)
            raise UserError("targets.error.not_member_reply")
    one_period = bool(words) and words[-1].lower() in ONE_PERIOD_WORDS
    if one_period:
        words.pop()
    if len(words) < 2:
        raise UserError("targets.error.usage")
    held = (
        list(member.role_codes)
        if member is not None
        else list(
            dict.fromkeys(c for m in await teams.members(session, team) for c in m.role_codes)
        )
    )
    role_code = None
    if words[0].lower() in held and len(words) > 2:
        role_code = words.pop(0).lower()
    if words[-1].lower() in CLEAR_WORDS:
        name_words, value_text = words[:-1], None
    else:
        name_words, value_text = _split_value(words, locale)
    if not name_words:
        raise UserError("targets.error.usage")
    # every role's own title counts («Конверсия» and «Конверсия кампании» are both conversion)
    candidates = [k for code in ([role_code] if role_code else held) for k in kpi.role(code).kpis]
    item = find_kpi(" ".join(name_words), candidates)
    if value_text is None:
        return TargetCommand(item, None, member, role_code, one_period)
    try:
        value = parse_value(item, value_text, locale)
    except InputError as error:
        raise UserError(error.key, **error.message_params(locale)) from None
    return TargetCommand(item, value, member, role_code, one_period)


def _same_scope(command: TargetCommand):
    member_id = command.member.id if command.member else None
    return (
        Target.kpi_code == command.kpi.code,
        Target.member_id.is_(None) if member_id is None else Target.member_id == member_id,
        Target.role_code.is_(None)
        if command.role_code is None
        else Target.role_code == command.role_code,
    )


async def apply(
    session: AsyncSession, team: Team, command: TargetCommand, period: Period
) -> Target | None:
    """Store (or clear) the target from `period` on, or for `period` only; the new row, if any.
    Past periods keep the targets they had: an open-ended target is ended, not rewritten."""
    scope = (Target.team_id == team.id, *_same_scope(command))
    await session.execute(
        delete(Target).where(
            *scope, Target.valid_to.is_not(None), Target.valid_from >= period.start
        )
        if not command.one_period
        else delete(Target).where(
            *scope, Target.valid_from == period.start, Target.valid_to == period.end
        )
    )
    if not command.one_period:
        await session.execute(
            delete(Target).where(
                *scope, Target.valid_to.is_(None), Target.valid_from >= period.start
            )
        )
        older = await session.scalars(
            select(Target).where(
                *scope, Target.valid_to.is_(None), Target.valid_from < period.start
            )
        )
        for row in older:
            row.valid_to = period.start - timedelta(days=1)
    if command.value is None:
        await session.flush()
        return None
    row = Target(
        team_id=team.id,
        member_id=command.member.id if command.member else None,
        role_code=command.role_code,
        kpi_code=command.kpi.code,
        value=command.value,
        valid_from=period.start,
        valid_to=period.end if command.one_period else None,
    )
    session.add(row)
    await session.flush()
    return row

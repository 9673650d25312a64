"""The prepared agenda (seed 004, rule 3): the ten topics filled with the period's team numbers,
the last meeting's tasks, the anomalies in conversions (seed 003) and who hasn't reported.

Posted to the group `agenda_minutes_before` the meeting (claimed in the post log once per period;
caught up after downtime within CATCH_UP_HOURS, never later than an hour after the meeting
time), and shown by /agenda at any time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from bot.i18n import Translator, escape, html_join
from bot.runtime import Runtime
from bot.scheduler import per_team
from handlers.render import user_name
from models.tables import Answer, Holiday, Member, Task, Team
from services import kpi_data, postlog, rhythm, teams
from services import meeting as meetings
from services import tasks as task_service
from services.clock import team_now

log = logging.getLogger(__name__)

HISTORY_PERIODS = 5  # the current period and four before it, for anomalies
ANOMALY_THRESHOLD = Decimal("0.2")
LATE_AFTER = timedelta(minutes=5)
NO_LATER_THAN = timedelta(hours=1)  # after the meeting time, a missed agenda isn't posted
MESSAGE_LIMIT = 4096
STATUS_MARKS = {
    kpi.Status.ON_TRACK: "🟢",
    kpi.Status.AT_RISK: "🟡",
    kpi.Status.OFF_TRACK: "🔴",
    kpi.Status.NO_DATA: "⚪",
}


@dataclass(frozen=True)
class TaskState:
    task: Task
    owner: Member


@dataclass(frozen=True)
class AgendaData:
    cycle: rhythm.Cycle
    summary: kpi.TeamSummary
    anomalies: list[kpi.Anomaly]
    last_tasks: list[TaskState]  # the tasks set at the last meeting
    other_open: list[Task]  # open tasks not from the last meeting
    not_reported: list[Member]
    away: list[Member]
    today: date
    collected: bool  # the period's collection has opened (else there are no numbers yet)


async def team_holidays(session: AsyncSession, team: Team) -> list[date]:
    return list(await session.scalars(select(Holiday.day).where(Holiday.team_id == team.id)))


async def cycle_now(session: AsyncSession, team: Team, now: datetime) -> rhythm.Cycle:
    return rhythm.current_cycle(team, now, await team_holidays(session, team))


async def upcoming_cycle(session: AsyncSession, team: Team, now: datetime) -> rhythm.Cycle:
    """The cycle of the next meeting: the current one, or the one after once its meeting ended."""
    holidays = await team_holidays(session, team)
    cycle = rhythm.current_cycle(team, now, holidays)
    if not await meetings.held_for(session, team, cycle.period.start, ended=True):
        return cycle
    period = kpi.next_period(cycle.period, rhythm.cadence(team), team.anchor_date)
    cycle = rhythm.cycle_for(team, period, holidays)
    while cycle.skipped:
        period = kpi.next_period(period, rhythm.cadence(team), team.anchor_date)
        cycle = rhythm.cycle_for(team, period, holidays)
    return cycle


async def reported_ids(session: AsyncSession, team: Team, period_start: date) -> set[int]:
    """Members with any answer for the period («нет данных» is an answer too)."""
    query = (
        select(Answer.member_id)
        .join(Member, Member.id == Answer.member_id)
        .where(Member.team_id == team.id, Answer.period_start == period_start)
        .distinct()
    )
    return set(await session.scalars(query))


async def collect(
    session: AsyncSession, team: Team, cycle: rhythm.Cycle, now: datetime
) -> AgendaData:
    members = [m for m in await teams.members(session, team) if m.role_codes]
    cadence = rhythm.cadence(team)
    periods = kpi.periods_back(cycle.period, HISTORY_PERIODS, cadence, team.anchor_date)
    history = await kpi_data.history(session, team, members, periods)
    targets = await kpi_data.targets(session, team, cycle.period)
    summary = kpi.team_summary(history[-1], like_for_like(history[-1], history[-2]), targets)
    anomalies = kpi.detect_team_anomalies(history, ANOMALY_THRESHOLD)
    meeting_day = team_now(cycle.meeting_at, team.timezone).date()
    away_ids = await meetings.away_member_ids(session, team, meeting_day)
    reported = await reported_ids(session, team, cycle.period.start)
    last = await meetings.last_ended(session, team)
    last_tasks = await task_service.of_meeting(session, last.id) if last else []
    owners = await task_service.members_by_id(session, last_tasks)
    last_ids = {t.id for t in last_tasks}
    other_open = [
        t for t in await task_service.open_for_team(session, team) if t.id not in last_ids
    ]
    return AgendaData(
        cycle=cycle,
        summary=summary,
        anomalies=anomalies,
        last_tasks=[TaskState(t, owners[t.owner_member_id]) for t in last_tasks],
        other_open=other_open,
        not_reported=[m for m in members if m.id not in reported and m.id not in away_ids],
        away=[m for m in members if m.id in away_ids],
        today=team_now(now, team.timezone).date(),
        collected=cycle.opens_at <= now,
    )


# ----------------------------------------------------------------------------- texts
def period_text(period: kpi.Period, t: Translator) -> str:
    return t("agenda.period", period=t.period(period.start, period.end))


def value_text(value: Decimal | None, unit: str, t: Translator, currency: str) -> str:
    return kpi.format_number(value, unit, t.locale, currency)


def like_for_like(
    current: list[kpi.MemberInputs], previous: list[kpi.MemberInputs]
) -> list[kpi.MemberInputs]:
    """The previous period of the members who reported now: a change compares the same people
    (someone who hasn't reported yet doesn't show up as a −60 % drop in revenue)."""
    reported = {m.member_id for m in current if any(v is not None for v in m.inputs.values())}
    return [m for m in previous if m.member_id in reported]


def change_text(line: kpi.KpiLine, t: Translator, currency: str) -> str:
    """«▲ +12 %» against the previous period; «= 0 %» when it rounds to no change."""
    if line.change is None:
        return ""
    if line.change_pct is not None:
        amount = kpi.format_number(line.change_pct, "percent", t.locale, currency, signed=True)
    else:
        amount = kpi.format_number(line.change, line.kpi.unit, t.locale, currency, signed=True)
    if not any(ch.isdigit() and ch != "0" for ch in amount):
        arrow = "="
    else:
        arrow = "▲" if line.change > 0 else "▼"
    return f"{arrow} {amount}".replace("-", "−")


def kpi_line(line: kpi.KpiLine, t: Translator, currency: str) -> str:
    """«🔴 CTR: 1,2 % · ▼ −40 % · план 60 %» — value, change, plan attainment, status mark."""
    parts = [value_text(line.value, line.kpi.unit, t, currency)]
    change = change_text(line, t, currency)
    if change:
        parts.append(change)
    if line.attainment is not None:
        percent = kpi.format_number(line.attainment * 100, "percent", t.locale, currency)
        parts.append(t("agenda.attainment", percent=percent))
    elif line.target is not None:
        parts.append(t("agenda.target", target=value_text(line.target, line.kpi.unit, t, currency)))
    title = escape(line.kpi.titles[t.locale])
    return f"{STATUS_MARKS[line.status]} {title}: " + " · ".join(parts)


def member_names(members: list[Member]) -> str:
    return html_join(", ", [user_name(m.user) for m in members])


def task_line(task: Task, owner: Member, t: Translator, today: date) -> str:
    if task.status == task_service.DONE:
        mark = "✅"
    elif task.status == task_service.CANCELLED:
        mark = "✖️"
    elif task.due < today:
        mark = "⏰"
    else:
        mark = "⏳"
    text = t(
        "agenda.task_line",
        mark=mark,
        text=escape(task.text),
        owner=user_name(owner.user),
        due=t.date(task.due),
    )
    if task_service.is_overdue(task, today):
        text += t.n("agenda.overdue_days", (today - task.due).days)
    return text


def render(data: AgendaData, team: Team, t: Translator, *, late: bool = False) -> str:
    currency = team.currency
    meeting_local = team_now(data.cycle.meeting_at, team.timezone)
    lines = [
        t(
            "agenda.title",
            weekday=t.weekday(meeting_local.weekday()),
            date=t.date(meeting_local.date()),
            time=t.time(meeting_local),
        ),
        period_text(data.cycle.period, t),
    ]
    if late:
        lines.append(t("agenda.late"))
    if not data.collected:
        opens = team_now(data.cycle.opens_at, team.timezone)
        lines.append("")
        lines.append(
            t(
                "agenda.not_collected",
                weekday=t.weekday(opens.weekday()),
                date=t.date(opens.date()),
                time=t.time(opens),
            )
        )
        lines.append("")
        lines.extend(tasks_block(data, t))
        if data.away:
            lines.append(t("agenda.away", names=member_names(data.away)))
        return "\n".join(lines)
    for number, topic in enumerate(data.summary.topics, start=1):
        lines.append("")
        lines.append(t("agenda.topic", number=number, title=escape(topic.topic.titles[t.locale])))
        if topic.lines:
            lines.extend(kpi_line(line, t, currency) for line in topic.lines)
        else:
            lines.append(t("agenda.topic_no_data", na=kpi.format_number(None, "count", t.locale)))
    lines.append("")
    lines.extend(tasks_block(data, t))
    lines.append("")
    lines.append(t("agenda.anomalies_title"))
    if data.anomalies:
        lines.extend(anomaly_line(a, t, currency) for a in data.anomalies)
    else:
        lines.append(t("agenda.anomalies_none"))
    lines.append("")
    if data.not_reported:
        lines.append(
            t.n(
                "agenda.not_reported", len(data.not_reported), names=member_names(data.not_reported)
            )
        )
    else:
        lines.append(t("agenda.all_reported"))
    if data.away:
        lines.append(t("agenda.away", names=member_names(data.away)))
    return "\n".join(lines)


def tasks_block(data: AgendaData, t: Translator) -> list[str]:
    lines = []
    if data.last_tasks:
        stats = task_service.completion([s.task for s in data.last_tasks], data.today)
        lines.append(
            t(
                "agenda.tasks_title",
                done=stats.done,
                total=stats.total,
                open=stats.open,
                overdue=stats.overdue,
            )
        )
        lines.extend(task_line(s.task, s.owner, t, data.today) for s in data.last_tasks)
    else:
        lines.append(t("agenda.tasks_none"))
    if data.other_open:
        overdue = sum(task_service.is_overdue(task, data.today) for task in data.other_open)
        lines.append(t.n("agenda.other_open", len(data.other_open), overdue=overdue))
    return lines


def anomaly_line(anomaly: kpi.Anomaly, t: Translator, currency: str) -> str:
    metric = kpi.metric(anomaly.kpi_code)
    change = kpi.format_number(anomaly.change_pct, "percent", t.locale, currency, signed=True)
    return t(
        "agenda.anomaly_good" if anomaly.direction_good else "agenda.anomaly_bad",
        title=escape(metric.titles[t.locale]),
        value=value_text(anomaly.value, metric.unit, t, currency),
        baseline=value_text(anomaly.baseline, metric.unit, t, currency),
        change=change.replace("-", "−"),
    )


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Telegram takes at most 4096 characters: cut between blocks (blank lines), else lines.
    Every line is self-contained HTML, so a cut never splits a tag."""
    chunks: list[str] = []
    current = ""
    for block in text.split("\n\n"):
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = ""
        for line in block.split("\n"):
            while len(line) > limit:
                chunks.append(line[:limit])
                line = line[limit:]
            candidate = f"{current}\n{line}" if current else line
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = line
    if current:
        chunks.append(current)
    return chunks


# ----------------------------------------------------------------------------- posting
async def build(session: AsyncSession, team: Team, t: Translator, now: datetime) -> list[str]:
    """/agenda: the next meeting's agenda (after this period's meeting, the next period's)."""
    cycle = await upcoming_cycle(session, team, now)
    data = await collect(session, team, cycle, now)
    return split_message(render(data, team, t))


async def send_chunks(bot: Bot, chat_id: int, chunks: list[str]) -> int | None:
    """Sends the chunks in order; the first message's id."""
    first = None
    for chunk in chunks:
        sent = await bot.send_message(chat_id, chunk)
        first = first or sent.message_id
    return first


def agenda_due(cycle: rhythm.Cycle, now: datetime, catch_up: timedelta) -> bool:
    if cycle.skipped or now < cycle.agenda_at:
        return False
    return now - cycle.agenda_at <= catch_up and now <= cycle.meeting_at + NO_LATER_THAN


async def post_agenda(runtime: Runtime, team_id: int, now: datetime) -> None:
    """Posts the team's agenda when its time has come (once per period)."""
    catch_up = timedelta(hours=runtime.settings.catch_up_hours)
    async with runtime.sessionmaker() as session:
        team = await session.get_one(Team, team_id)
        cycle = await cycle_now(session, team, now)
        if not agenda_due(cycle, now, catch_up):
            return
        if await meetings.held_for(session, team, cycle.period.start):
            return  # /planerka came first and showed the agenda
        late = now - cycle.agenda_at > LATE_AFTER
        async with postlog.claimed(
            session, team.id, "agenda", cycle.period.key, now=now, late=late
        ) as claimed:
            if claimed is None:
                return
            t = runtime.i18n.get(team.locale)
            data = await collect(session, team, cycle, now)
            try:
                claimed.message_id = await send_chunks(
                    runtime.bot, team.chat_id, split_message(render(data, team, t, late=late))
                )
            except TelegramAPIError:
                log.exception("agenda for team %s could not be posted", team.id)


run_due = per_team("agenda", post_agenda)

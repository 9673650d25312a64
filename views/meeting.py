"""What the group sees of a meeting: the speaker's card with its buttons, the minutes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from models.tables import Meeting, Member, Team
from services.common import kpi_data
from services.common.clock import team_now
from services.meeting import meetings
from services.reports import targets as target_rows
from services.tasks import tasks as task_service
from services.team import rhythm
from services.team.schedule import schedule_of
from views import agenda as agenda_view
from views import kpi_line as kl
from views.common import mention, role_title, user_name
from views.i18n import Translator, escape, html_join


class MeetingAction(CallbackData, prefix="mt"):
    action: Literal["next", "skip", "back", "task", "end"]  # nothing else unpacks
    meeting_id: int = Field(ge=1)
    position: int = Field(ge=0, le=10_000)
    kpi: str = Field(default="", max_length=64)


def _button(text: str, data: MeetingAction) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def card_keyboard(
    meeting: Meeting, t: Translator, off_track: list[kpi.KpiLine], first: bool
) -> InlineKeyboardMarkup:
    def data(action: str, code: str = "") -> MeetingAction:
        return MeetingAction(
            action=action, meeting_id=meeting.id, position=meeting.position, kpi=code
        )

    nav = [
        _button(t("meeting.btn.skip"), data("skip")),
        _button(t("meeting.btn.next"), data("next")),
    ]
    if not first:
        nav.insert(0, _button(t("meeting.btn.back"), data("back")))
    rows = [nav]
    for line in off_track:
        title = line.kpi.titles[t.locale]
        rows.append([_button(t("meeting.btn.task_kpi", kpi=title), data("task", line.kpi.code))])
    rows.append([_button(t("meeting.btn.task"), data("task"))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def closing_keyboard(meeting: Meeting, t: Translator, can_go_back: bool) -> InlineKeyboardMarkup:
    rows = []
    if can_go_back:
        rows.append(
            [
                _button(
                    t("meeting.btn.back"),
                    MeetingAction(action="back", meeting_id=meeting.id, position=meeting.position),
                )
            ]
        )
    rows.append(
        [
            _button(
                t("meeting.btn.end"),
                MeetingAction(action="end", meeting_id=meeting.id, position=meeting.position),
            )
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def member_lines(
    session: AsyncSession, team: Team, member: Member, period: kpi.Period
) -> dict[str, list[kpi.KpiLine]]:
    """The member's KPIs by role for the period, against the previous one and their targets."""
    previous = kpi.previous_period(period, rhythm.cadence_of(team, period), team.anchor_date)
    history = await kpi_data.history(session, team, [member], [previous, period])
    rows = await kpi_data.targets_in_force(session, team, period)
    current, before = history[1][0], history[0][0].inputs
    return {
        code: kpi.summarize(
            kpi.role(code).kpis,
            current.inputs,
            before,
            target_rows.pick(rows, member_id=member.id, role_code=code),
        )
        for code in member.role_codes
    }


async def speaker_card(
    session: AsyncSession, team: Team, turn: meetings.Turn, t: Translator, today
) -> tuple[str, InlineKeyboardMarkup]:
    meeting = turn.meeting
    speakers = await meetings.speakers_of(session, meeting)
    present = [s for s in speakers if s.status != meetings.AWAY]
    if turn.speaker is None or turn.member is None:
        text = t("meeting.everyone_spoke")
        return text, closing_keyboard(meeting, t, bool(present))
    member = turn.member
    period = (await schedule_of(session, team)).of(meeting.period_start).period
    by_role = await member_lines(session, team, member, period)
    number = next(i for i, s in enumerate(present, start=1) if s.id == turn.speaker.id)
    lines = [
        t(
            "meeting.floor",
            name=mention(member.user),
            number=number,
            total=len(present),
        )
    ]
    off_track: dict[str, kpi.KpiLine] = {}
    for role_code, role_lines in by_role.items():
        lines.append("")
        lines.append(f"<b>{escape(role_title(role_code, t))}</b>")
        for line in role_lines:
            lines.append(kl.text(line, t, team.currency))
            if line.status is kpi.Status.OFF_TRACK:
                off_track.setdefault(line.kpi.code, line)
    mine = [
        task
        for task in await task_service.open_for_team(session, team)
        if task.owner_member_id == member.id
    ]
    lines.append("")
    if mine:
        overdue = sum(task_service.is_overdue(task, today) for task in mine)
        lines.append(t.n("meeting.open_tasks", len(mine), overdue=overdue))
    lines.append(t("meeting.time_box", minutes=_minutes(team.speaker_seconds, t)))
    first = not any(s.status in (meetings.SPOKE, meetings.SKIPPED) for s in speakers)
    keyboard = card_keyboard(meeting, t, list(off_track.values()), first)
    return "\n".join(lines), keyboard


def _minutes(seconds: int, t: Translator) -> str:
    if seconds % 60 == 0:
        return t.n("meeting.minutes_n", seconds // 60)
    return t.n("meeting.seconds_n", seconds)


def next_meeting_at(schedule: rhythm.Schedule, meeting: Meeting) -> datetime:
    cycle = schedule.of(meeting.period_start)
    return schedule.next_held(schedule.following(cycle)).meeting_at


async def minutes_text(
    session: AsyncSession, team: Team, meeting: Meeting, t: Translator, *, auto: bool = False
) -> str:
    """The minutes: date, who spoke, who was absent or away, the tasks, the next meeting."""
    started = team_now(meeting.started_at, team.timezone)
    came = await meetings.attendance(session, meeting)
    tasks = await task_service.of_meeting(session, meeting.id)
    owners = await task_service.members_by_id(session, tasks)
    schedule = await schedule_of(session, team)
    upcoming = team_now(next_meeting_at(schedule, meeting), team.timezone)
    period = schedule.of(meeting.period_start).period
    lines = [
        t(
            "minutes.title",
            weekday=t.weekday(started.weekday()),
            date=t.date(started.date(), "yMMMd"),
        ),
        agenda_view.period_text(period, t),
        "",
        t.n("minutes.spoke", len(came.spoke), names=_names(came.spoke, t)),
    ]
    if came.absent:
        lines.append(t.n("minutes.absent", len(came.absent), names=_names(came.absent, t)))
    if came.away:
        lines.append(t.n("minutes.away", len(came.away), names=_names(came.away, t)))
    lines.append("")
    live = [task for task in tasks if task.status != task_service.CANCELLED]
    if live:
        lines.append(t.n("minutes.tasks", len(live)))
        for number, task in enumerate(live, start=1):
            lines.append(
                t(
                    "minutes.task_line",
                    number=number,
                    text=escape(task.text),
                    owner=user_name(owners[task.owner_member_id].user),
                    due=t.date(task.due),
                )
                + (_kpi_note(task.kpi_code, t) if task.kpi_code else "")
            )
    else:
        lines.append(t("minutes.no_tasks"))
    lines.append("")
    lines.append(
        t(
            "minutes.next",
            weekday=t.weekday(upcoming.weekday()),
            date=t.date(upcoming.date()),
            time=t.time(upcoming),
        )
    )
    if auto:
        lines.append(t("minutes.auto_closed"))
    return "\n".join(lines)


def _kpi_note(code: str, t: Translator) -> str:
    try:
        title = kpi.metric(code).titles[t.locale]
    except KeyError:
        return ""
    return t("minutes.kpi_note", kpi=escape(title))


def _names(members: list[Member], t: Translator) -> str:
    return html_join(", ", [user_name(m.user) for m in members]) if members else "—"

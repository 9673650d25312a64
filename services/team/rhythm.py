"""A team's rhythm: for each period, when collection opens, the reminder, the deadline, the
agenda and the meeting happen (team time zone). Pure functions of the team's settings.

The meeting for a period P is on the first meeting weekday after P ends (a Monday meeting
reviews the week Mon–Sun that just ended; a monthly team meets on the first such weekday of
the next month). Collection opens `collect_open_days_before` days before the meeting at
`collect_open_time` (default: Friday 15:00, the last working day of the period), closes
`deadline_minutes_before` the meeting; the reminder goes `reminder_minutes_before` the
deadline; the agenda `agenda_minutes_before` the meeting. A meeting on a team holiday moves
to the next working day, or the period is skipped, as the team's holiday_policy says.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kpi import Cadence, Period, next_period, period_containing, previous_period
from models.tables import Team

WORKDAYS = range(5)


@dataclass(frozen=True)
class Cycle:
    period: Period
    opens_at: datetime
    reminder_at: datetime
    deadline_at: datetime
    agenda_at: datetime
    meeting_at: datetime
    skipped: bool = False


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() in WORKDAYS and day not in holidays


def next_working_day(day: date, holidays: Collection[date]) -> date:
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def meeting_day(team: Team, period: Period) -> date:
    day = period.end + timedelta(days=1)
    return day + timedelta(days=(team.meeting_weekday - day.weekday()) % 7)


def previous_working_day(day: date, holidays: Collection[date]) -> date:
    while not is_working_day(day, holidays):
        day -= timedelta(days=1)
    return day


def cycle_for(team: Team, period: Period, holidays: Collection[date] = ()) -> Cycle:
    """The cycle's moments. The opening is counted from the scheduled meeting day (a meeting
    moved off a holiday doesn't drag the opening into the weekend); an opening on a holiday
    moves to the working day before it, or the period is skipped (policy "skip")."""
    zone = ZoneInfo(team.timezone)
    scheduled = day = meeting_day(team, period)
    skip = team.holiday_policy == "skip"
    skipped = False
    if day in holidays:
        if skip:
            skipped = True
        else:
            day = next_working_day(day + timedelta(days=1), holidays)
    meeting_at = datetime.combine(day, _time(team.meeting_time), zone)
    open_day = scheduled - timedelta(days=team.collect_open_days_before)
    if open_day in holidays:
        if skip:
            skipped = True
        else:
            open_day = previous_working_day(open_day, holidays)
    opens_at = datetime.combine(open_day, _time(team.collect_open_time), zone)
    deadline_at = meeting_at - timedelta(minutes=team.deadline_minutes_before)
    opens_at = min(opens_at, deadline_at)
    return Cycle(
        period=period,
        opens_at=opens_at,
        reminder_at=max(opens_at, deadline_at - timedelta(minutes=team.reminder_minutes_before)),
        deadline_at=deadline_at,
        agenda_at=meeting_at - timedelta(minutes=team.agenda_minutes_before),
        meeting_at=meeting_at,
        skipped=skipped,
    )


def cadence(team: Team) -> Cadence:
    return Cadence(team.cadence)


def period_of(team: Team, day: date) -> Period:
    return period_containing(day, cadence(team), team.anchor_date)


def current_cycle(team: Team, now: datetime, holidays: Collection[date] = ()) -> Cycle:
    """The cycle members report on now: the latest one whose collection has opened
    (it stays current after its meeting, so late answers land in it, until the next opens)."""
    local = now.astimezone(ZoneInfo(team.timezone))
    period = period_of(team, local.date())
    candidates = [
        previous_period(
            previous_period(period, cadence(team), team.anchor_date),
            cadence(team),
            team.anchor_date,
        )
    ]
    candidates.append(next_period(candidates[0], cadence(team), team.anchor_date))
    candidates.append(period)
    cycles = [cycle_for(team, p, holidays) for p in candidates]
    opened = [c for c in cycles if c.opens_at <= now]
    return opened[-1] if opened else cycles[0]


def previous_cycle(team: Team, cycle: Cycle, holidays: Collection[date] = ()) -> Cycle:
    return cycle_for(team, previous_period(cycle.period, cadence(team), team.anchor_date), holidays)

"""A team's rhythm: for each period, when collection opens, the reminder, the deadline, the
agenda and the meeting happen (team time zone). Pure functions of the team's settings.

The meeting for a period P is on the first meeting weekday after P ends (a Monday meeting
reviews the week Mon–Sun that just ended; a monthly team meets on the first such weekday of
the next month). Collection opens `collect_open_days_before` days before the meeting at
`collect_open_time` (default: Friday 15:00, the last working day of the period), closes
`deadline_minutes_before` the meeting; the reminder goes `reminder_minutes_before` the
deadline; the agenda `agenda_minutes_before` the meeting. A meeting on a team holiday moves
to the next working day, or the period is skipped, as the team's holiday_policy says.

A collection once opened keeps its moments (`Schedule`): the stored open collection stays as it
was opened whatever the settings or holidays do later, and the cycles computed from the
current settings start after it (`follows`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kpi import Cadence, Period, next_period, period_containing, previous_period
from models.tables import Collection as CollectionRow
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


def cadence_of(team: Team, period: Period) -> Cadence:
    """The cadence `period` was collected in: the team's, or (a period kept from before the
    cadence changed) the one its length says."""
    if period_containing(period.start, cadence(team), team.anchor_date) == period:
        return cadence(team)
    return {7: Cadence.WEEKLY, 14: Cadence.BIWEEKLY}.get(period.days, Cadence.MONTHLY)


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


def kept_cycle(team: Team, row: CollectionRow, holidays: Collection[date] = ()) -> Cycle:
    """An opened collection's cycle as it was opened (a row stored before the moments were
    kept takes the missing ones from the settings, around its stored deadline)."""
    period = Period(row.period_start, row.period_end)
    deadline_at = _aware(row.deadline_at)
    stored = (row.opens_at, row.reminder_at, row.agenda_at, row.meeting_at)
    if all(moment is not None for moment in stored):
        opens_at, reminder_at, agenda_at, meeting_at = (_aware(m) for m in stored)
    else:
        computed = cycle_for(team, period, holidays)
        meeting_at = deadline_at + timedelta(minutes=team.deadline_minutes_before)
        opens_at = min(computed.opens_at, deadline_at)
        reminder_at = max(opens_at, deadline_at - timedelta(minutes=team.reminder_minutes_before))
        agenda_at = meeting_at - timedelta(minutes=team.agenda_minutes_before)
    return Cycle(period, opens_at, reminder_at, deadline_at, agenda_at, meeting_at)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def follows(cycle: Cycle, kept: Cycle) -> bool:
    """A computed cycle may come after a kept one: it ends later (no day left between them),
    doesn't start on the same day (a period is stored by its start) and opens after the kept
    one's deadline. A longer period may hold the kept one's days (weekly → monthly: the month
    in progress is the first monthly period)."""
    return (
        cycle.period.start != kept.period.start
        and cycle.period.end > kept.period.end
        and cycle.opens_at > kept.deadline_at
    )


SEARCH = 24  # periods looked at for the first one after a kept cycle


@dataclass(frozen=True)
class Schedule:
    """The team's cycles: the kept ones (collections already opened, oldest first, with the
    moments they were opened with), then the ones the current settings give after the last."""

    team: Team
    holidays: frozenset[date] = frozenset()
    kept: tuple[Cycle, ...] = field(default=())

    @property
    def last_kept(self) -> Cycle | None:
        return self.kept[-1] if self.kept else None

    def computed(self, period: Period) -> Cycle:
        return cycle_for(self.team, period, self.holidays)

    def of(self, start: date) -> Cycle:
        """The cycle of the period starting on `start` (kept, or as the settings give it)."""
        for kept in self.kept:
            if kept.period.start == start:
                return kept
        return self.computed(period_of(self.team, start))

    def following(self, cycle: Cycle) -> Cycle:
        """The cycle after `cycle` (may be a skipped one)."""
        later = [k for k in self.kept if k.period.start > cycle.period.start]
        if later:
            return later[0]
        last = self.last_kept
        period = next_period(cycle.period, cadence(self.team), self.team.anchor_date)
        if last is not None and cycle.period.start <= last.period.start:
            period = period_of(self.team, last.period.end + timedelta(days=1))
        for _ in range(SEARCH):
            found = self.computed(period)
            if last is None or follows(found, last):
                return found
            period = next_period(period, cadence(self.team), self.team.anchor_date)
        return found

    def previous(self, cycle: Cycle) -> Cycle:
        earlier = [k for k in self.kept if k.period.start < cycle.period.start]
        if earlier:
            return earlier[-1]
        return previous_cycle(self.team, cycle, self.holidays)

    def current(self, now: datetime) -> Cycle:
        """The cycle members report on now: the latest one whose collection has opened (the
        kept open collection until the first cycle after it opens)."""
        computed = current_cycle(self.team, now, self.holidays)
        last = self.last_kept
        if last is None:
            return computed
        if computed.opens_at <= now and follows(computed, last):
            return computed
        return last

    def upcoming(self, now: datetime) -> Cycle:
        """The first cycle whose collection opens after `now` (skipped ones passed over)."""
        return self.next_held(self.current(now), lambda c: c.opens_at > now)

    def next_held(self, cycle: Cycle, fits: Callable[[Cycle], bool] = lambda c: True) -> Cycle:
        """`cycle` or the first one after it that fits and isn't skipped."""
        for _ in range(SEARCH):
            if fits(cycle) and not cycle.skipped:
                break
            cycle = self.following(cycle)
        return cycle

    def around(self, now: datetime, ahead: int = 4) -> list[Cycle]:
        """The previous cycle, the current one and the next `ahead` (skipped ones left out)."""
        current = self.current(now)
        cycles = [self.previous(current), current]
        for _ in range(ahead):
            cycles.append(self.following(cycles[-1]))
        return [c for c in cycles if not c.skipped]

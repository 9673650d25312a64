"""services/team/rhythm.py: a team's cycle times for each period, from its settings (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from kpi import Period
from models.tables import Team
from services.team import rhythm

MSK = ZoneInfo("Europe/Moscow")
NSK = ZoneInfo("Asia/Novosibirsk")
WEEK = Period(date(2026, 11, 23), date(2026, 11, 29))


def team(**overrides) -> Team:
    values = {
        "timezone": "Europe/Moscow",
        "cadence": "weekly",
        "anchor_date": date(2026, 11, 23),
        "meeting_weekday": 0,
        "meeting_time": "10:00",
        "collect_open_days_before": 3,
        "collect_open_time": "15:00",
        "deadline_minutes_before": 30,
        "reminder_minutes_before": 120,
        "agenda_minutes_before": 15,
        "holiday_policy": "move",
        **overrides,
    }
    return Team(**values)


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)


def test_the_default_week():
    cycle = rhythm.cycle_for(team(), WEEK)
    assert cycle.opens_at == msk(2026, 11, 27, 15, 0)  # Friday 15:00, the period's last workday
    assert cycle.reminder_at == msk(2026, 11, 30, 7, 30)  # two hours before the deadline
    assert cycle.deadline_at == msk(2026, 11, 30, 9, 30)  # 30 minutes before the meeting
    assert cycle.agenda_at == msk(2026, 11, 30, 9, 45)
    assert cycle.meeting_at == msk(2026, 11, 30, 10, 0)  # the Monday after the period
    assert not cycle.skipped


def test_settings_move_every_moment():
    cycle = rhythm.cycle_for(
        team(
            meeting_weekday=2,
            meeting_time="09:00",
            collect_open_days_before=1,
            collect_open_time="18:00",
            deadline_minutes_before=60,
            reminder_minutes_before=180,
        ),
        WEEK,
    )
    assert cycle.meeting_at == msk(2026, 12, 2, 9, 0)  # Wednesday
    assert cycle.opens_at == msk(2026, 12, 1, 18, 0)
    assert cycle.deadline_at == msk(2026, 12, 2, 8, 0)
    assert cycle.reminder_at == msk(2026, 12, 2, 5, 0)


def test_a_reminder_never_comes_before_the_opening():
    cycle = rhythm.cycle_for(
        team(collect_open_days_before=0, collect_open_time="08:00", reminder_minutes_before=600),
        WEEK,
    )
    assert cycle.opens_at == msk(2026, 11, 30, 8, 0)
    assert cycle.reminder_at == cycle.opens_at
    assert cycle.deadline_at == msk(2026, 11, 30, 9, 30)


def test_an_opening_after_the_deadline_is_pulled_back_to_it():
    cycle = rhythm.cycle_for(team(collect_open_days_before=0, collect_open_time="12:00"), WEEK)
    assert cycle.opens_at == cycle.deadline_at == msk(2026, 11, 30, 9, 30)


def test_team_time_zone():
    cycle = rhythm.cycle_for(team(timezone="Asia/Novosibirsk"), WEEK)
    assert cycle.meeting_at == datetime(2026, 11, 30, 10, 0, tzinfo=NSK)
    assert cycle.meeting_at.astimezone(UTC) == datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def test_monthly_and_biweekly_periods():
    monthly = team(cadence="monthly")
    november = rhythm.period_of(monthly, date(2026, 11, 17))
    assert (november.start, november.end) == (date(2026, 11, 1), date(2026, 11, 30))
    cycle = rhythm.cycle_for(monthly, november)
    assert cycle.meeting_at == msk(2026, 12, 7, 10, 0)  # the first Monday after the month
    assert cycle.opens_at == msk(2026, 12, 4, 15, 0)

    biweekly = team(cadence="biweekly", anchor_date=date(2026, 11, 16))
    period = rhythm.period_of(biweekly, date(2026, 11, 25))
    assert (period.start, period.end) == (date(2026, 11, 16), date(2026, 11, 29))
    assert rhythm.cycle_for(biweekly, period).meeting_at == msk(2026, 11, 30, 10, 0)


def test_a_meeting_on_a_holiday_moves_to_the_next_working_day_without_moving_the_opening():
    cycle = rhythm.cycle_for(team(), WEEK, {date(2026, 11, 30)})
    assert cycle.meeting_at == msk(2026, 12, 1, 10, 0)
    assert cycle.deadline_at == msk(2026, 12, 1, 9, 30)
    assert cycle.reminder_at == msk(2026, 12, 1, 7, 30)
    # counted from the scheduled Monday, the opening stays on Friday, not on Saturday
    assert cycle.opens_at == msk(2026, 11, 27, 15, 0)
    assert not cycle.skipped


def test_a_holiday_run_moves_the_meeting_past_all_of_it_and_past_the_weekend():
    holidays = {date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)}
    holidays.add(date(2026, 12, 4))
    cycle = rhythm.cycle_for(team(), WEEK, holidays)
    assert cycle.meeting_at == msk(2026, 12, 7, 10, 0)


def test_an_opening_on_a_holiday_moves_to_the_working_day_before():
    cycle = rhythm.cycle_for(team(), WEEK, {date(2026, 11, 27)})
    assert cycle.opens_at == msk(2026, 11, 26, 15, 0)  # Thursday
    assert cycle.meeting_at == msk(2026, 11, 30, 10, 0)


@pytest.mark.parametrize("holiday", [date(2026, 11, 30), date(2026, 11, 27)])
def test_with_the_skip_policy_a_holiday_skips_the_period(holiday):
    cycle = rhythm.cycle_for(team(holiday_policy="skip"), WEEK, {holiday})
    assert cycle.skipped


def test_other_days_off_change_nothing():
    assert rhythm.cycle_for(team(), WEEK, {date(2026, 11, 25)}) == rhythm.cycle_for(team(), WEEK)


def test_current_cycle_is_the_latest_opened_and_stays_current_after_its_meeting():
    t = team()
    before_opening = rhythm.current_cycle(t, msk(2026, 11, 27, 14, 59))
    assert before_opening.period.start == date(2026, 11, 16)
    at_opening = rhythm.current_cycle(t, msk(2026, 11, 27, 15, 0))
    assert at_opening.period == WEEK
    after_meeting = rhythm.current_cycle(t, msk(2026, 12, 2, 12, 0))
    assert after_meeting.period == WEEK  # late answers still land in it
    next_opening = rhythm.current_cycle(t, msk(2026, 12, 4, 15, 0))
    assert next_opening.period.start == date(2026, 11, 30)


def test_current_cycle_monthly():
    t = team(cadence="monthly")
    assert rhythm.current_cycle(t, msk(2026, 12, 3, 12, 0)).period.start == date(2026, 10, 1)
    assert rhythm.current_cycle(t, msk(2026, 12, 4, 15, 0)).period.start == date(2026, 11, 1)
    assert rhythm.current_cycle(t, msk(2026, 12, 20, 9, 0)).period.start == date(2026, 11, 1)


def test_previous_cycle_and_working_days():
    t = team()
    previous = rhythm.previous_cycle(t, rhythm.cycle_for(t, WEEK))
    assert previous.period.start == date(2026, 11, 16)
    assert previous.meeting_at == msk(2026, 11, 23, 10, 0)
    assert rhythm.is_working_day(date(2026, 11, 27), ())
    assert not rhythm.is_working_day(date(2026, 11, 28), ())
    assert not rhythm.is_working_day(date(2026, 11, 27), {date(2026, 11, 27)})
    assert rhythm.next_working_day(date(2026, 11, 28), ()) == date(2026, 11, 30)
    assert rhythm.previous_working_day(date(2026, 11, 29), ()) == date(2026, 11, 27)


# ----------------------------------------------------------------------------- kept cycles
def kept_week(**settings) -> rhythm.Schedule:
    """The week 23–29 Nov opened with the default settings, then `settings` changed."""
    opened = rhythm.cycle_for(team(), WEEK)
    return rhythm.Schedule(team(**settings), frozenset(), (opened,))


def test_the_kept_collection_stays_current_until_the_first_cycle_after_it_opens():
    schedule = kept_week(timezone="Asia/Vladivostok", meeting_time="11:00")
    current = schedule.current(msk(2026, 11, 30, 3, 0))  # the new zone's deadline has passed
    assert current.period == WEEK and current.deadline_at == msk(2026, 11, 30, 9, 30)
    following = schedule.following(current)
    assert following.period == Period(date(2026, 11, 30), date(2026, 12, 6))
    assert following.opens_at == datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("Asia/Vladivostok"))
    assert schedule.current(following.opens_at).period == following.period
    assert schedule.previous(following) == current


def test_weekly_to_monthly_the_month_in_progress_comes_next():
    schedule = kept_week(cadence="monthly")
    nxt = schedule.upcoming(msk(2026, 11, 28, 12, 0))
    assert nxt.period == Period(date(2026, 11, 1), date(2026, 11, 30))  # Nov 30 is not lost
    assert nxt.opens_at == msk(2026, 12, 4, 15, 0)
    assert schedule.current(msk(2026, 12, 2, 12, 0)).period == WEEK  # October's is older


def test_monthly_to_weekly_the_first_week_that_opens_after_the_months_deadline():
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    opened = rhythm.cycle_for(team(cadence="monthly"), october)
    assert opened.deadline_at == msk(2026, 11, 2, 9, 30)
    schedule = rhythm.Schedule(team(), frozenset(), (opened,))
    # 26 Oct – 1 Nov would open on 30 Oct, inside October's collection: it is passed over
    nxt = schedule.upcoming(msk(2026, 10, 31, 12, 0))
    assert nxt.period == Period(date(2026, 11, 2), date(2026, 11, 8))
    assert schedule.current(msk(2026, 11, 5, 12, 0)).period == october


def test_a_period_starting_on_the_kept_ones_day_is_passed_over():
    june_week = Period(date(2026, 6, 1), date(2026, 6, 7))
    opened = rhythm.cycle_for(team(), june_week)
    schedule = rhythm.Schedule(team(cadence="monthly"), frozenset(), (opened,))
    assert schedule.following(opened).period == Period(date(2026, 7, 1), date(2026, 7, 31))


def test_a_kept_period_keeps_its_cadence_for_history():
    assert rhythm.cadence_of(team(cadence="monthly"), WEEK) == "weekly"
    assert rhythm.cadence_of(team(), WEEK) == "weekly"
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    assert rhythm.cadence_of(team(), october) == "monthly"

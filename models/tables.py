"""The whole schema. Every table's rows are the state that survives a restart."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, DecimalText, UTCDateTime, utcnow

# A stored number (DecimalText) is finite: no NaN, no ±Infinity — checked by the one write
# path (services/checkins.py) and, as a backstop, by the database.
FINITE = "{column} IS NULL OR ({column} NOT LIKE '%NaN%' AND {column} NOT LIKE '%Inf%')"


class User(Base):
    """A Telegram user the bot has seen; private-chat reachability lives here."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(256), default="")
    language_code: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(8))
    started: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    active_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Team(Base):
    """A team is one Telegram group with its settings."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    # In a forum supergroup, the topic the team lives in (None: General or not a forum).
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(256), default="")
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    cadence: Mapped[str] = mapped_column(String(16), default="weekly")
    anchor_date: Mapped[date] = mapped_column(Date)
    meeting_weekday: Mapped[int] = mapped_column(Integer, default=0)
    meeting_time: Mapped[str] = mapped_column(String(5), default="10:00")
    collect_open_days_before: Mapped[int] = mapped_column(Integer, default=3)
    collect_open_time: Mapped[str] = mapped_column(String(5), default="15:00")
    deadline_minutes_before: Mapped[int] = mapped_column(Integer, default=30)
    reminder_minutes_before: Mapped[int] = mapped_column(Integer, default=120)
    agenda_minutes_before: Mapped[int] = mapped_column(Integer, default=15)
    speaker_seconds: Mapped[int] = mapped_column(Integer, default=180)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    holiday_policy: Mapped[str] = mapped_column(String(8), default="move")
    monthly_to_group: Mapped[bool] = mapped_column(Boolean, default=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    join_token: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Member]] = relationship(back_populates="team", lazy="raise")


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="members", lazy="raise")
    user: Mapped[User] = relationship(lazy="joined")
    roles: Mapped[list[MemberRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="MemberRole.id"
    )

    @property
    def role_codes(self) -> tuple[str, ...]:
        return tuple(r.role_code for r in self.roles)

    @property
    def leads(self) -> bool:
        return self.is_lead or self.is_admin


class MemberRole(Base):
    __tablename__ = "member_roles"
    __table_args__ = (UniqueConstraint("member_id", "role_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    role_code: Mapped[str] = mapped_column(String(64))


class Collection(Base):
    """One period's KPI collection for a team: when it opened, and the cycle's moments as they
    were when it opened (kept whatever the settings do later; NULL in rows from before)."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("team_id", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agenda_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Checkin(Base):
    """A member's progress through their questions for one period."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("member_id", "period_start"),
        CheckConstraint(FINITE.format(column="pending_value"), name="finite_pending_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    position: Mapped[int] = mapped_column(Integer, default=0)
    pending_input: Mapped[str | None] = mapped_column(String(64))
    pending_value: Mapped[Decimal | None] = mapped_column(DecimalText)
    question_message_id: Mapped[int | None] = mapped_column(BigInteger)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Answer(Base):
    """One raw input for one period; value None means «нет данных»."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("member_id", "period_start", "input_code"),
        CheckConstraint(FINITE.format(column="value"), name="finite_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date, index=True)
    input_code: Mapped[str] = mapped_column(String(64))
    value: Mapped[Decimal | None] = mapped_column(DecimalText)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the member's private message that typed it (None for a button): editing it corrects it
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class Away(Base):
    __tablename__ = "aways"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    set_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)


class Target(Base):
    """A plan value for a KPI: team-wide or one member's; one period or open-ended."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    role_code: Mapped[str | None] = mapped_column(String(64))
    kpi_code: Mapped[str] = mapped_column(String(64))
    value: Mapped[Decimal] = mapped_column(DecimalText)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Meeting(Base):
    """A planerka. running_team_id is set only while it runs: one running meeting a team."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    running_team_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    period_start: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_by: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    minutes: Mapped[str | None] = mapped_column(Text)
    # The minutes couldn't be posted to the group (the bot was removed): posted when it is back.
    minutes_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MeetingSpeaker(Base):
    __tablename__ = "meeting_speakers"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudged: Mapped[bool] = mapped_column(Boolean, default=False)


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    owner_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    kpi_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminded: Mapped[date | None] = mapped_column(Date)


class PostLog(Base):
    """Every scheduled post, so it goes out exactly once per period. A claim not marked done
    within the lease (the poster died) may be claimed again."""

    __tablename__ = "post_log"
    __table_args__ = (UniqueConstraint("team_id", "kind", "period_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    done: Mapped[bool] = mapped_column(Boolean, default=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class ProcessedUpdate(Base):
    """Update ids already handled: the same update delivered twice acts once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DueMoment(Base):
    """A team's next moment for one kind of scheduled work (the opening and reminders of
    check-ins, the digest, the agenda, the monthly report; "refresh": its moments must be
    computed again). The planner's pass reads what is due now from the index on due_at."""

    __tablename__ = "due_moments"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

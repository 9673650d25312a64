"""Text pieces several handlers show."""

from __future__ import annotations

import kpi
from models.tables import Member, Team, User
from views.i18n import Translator, escape


def settings_text(team: Team, t: Translator) -> str:
    return t(
        "settings.summary",
        cadence=t(f"settings.cadence.{team.cadence}"),
        weekday=t.weekday(team.meeting_weekday),
        time=team.meeting_time,
        timezone=team.timezone,
        locale=t(f"settings.lang.{team.locale}"),
        currency=team.currency,
    )


def user_name(user: User) -> str:
    return escape(user.full_name or (f"@{user.username}" if user.username else str(user.id)))


def mention(user: User) -> str:
    return f'<a href="tg://user?id={user.id}">{user_name(user)}</a>'


def role_title(code: str, t: Translator) -> str:
    try:
        return kpi.role(code).titles[t.locale]
    except KeyError:
        return code


def roles_text(member: Member, t: Translator) -> str:
    codes = member.role_codes
    return ", ".join(role_title(c, t) for c in codes) if codes else t("members.no_roles")


def reachability(user: User, t: Translator) -> str:
    if user.blocked:
        return t("members.blocked")
    if not user.started:
        return t("members.never_started")
    return t("members.reachable")

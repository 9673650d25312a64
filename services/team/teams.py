"""Teams and their members: registration, membership, roles, leads."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import Member, MemberRole, Team, User


async def by_chat(session: AsyncSession, chat_id: int) -> Team | None:
    return await session.scalar(select(Team).where(Team.chat_id == chat_id))


async def active_ids(session: AsyncSession) -> list[int]:
    """Ids of the teams that aren't paused."""
    return list(await session.scalars(select(Team.id).where(Team.paused.is_(False))))


async def by_token(session: AsyncSession, token: str) -> Team | None:
    return await session.scalar(select(Team).where(Team.join_token == token))


async def register(
    session: AsyncSession,
    *,
    chat_id: int,
    title: str,
    locale: str,
    timezone: str,
    created_by: int | None,
    today: date,
    thread_id: int | None = None,
) -> tuple[Team, bool]:
    """The team of this group, and whether it was created now (a second /setup changes nothing).
    `thread_id`: in a forum supergroup, the topic it lives in (None: General)."""
    team = await by_chat(session, chat_id)
    if team is not None:
        return team, False
    team = Team(
        chat_id=chat_id,
        title=title,
        locale=locale,
        timezone=timezone,
        created_by=created_by,
        anchor_date=today,
        thread_id=thread_id,
        join_token=secrets.token_urlsafe(12),
    )
    session.add(team)
    await session.flush()
    return team, True


async def member(session: AsyncSession, team: Team, user_id: int) -> Member | None:
    return await session.scalar(
        select(Member).where(Member.team_id == team.id, Member.user_id == user_id)
    )


async def ensure_member(session: AsyncSession, team: Team, user: User) -> tuple[Member, bool]:
    found = await member(session, team, user.id)
    if found is not None:
        if not found.active:
            found.active = True
        return found, False
    created = Member(team_id=team.id, user_id=user.id, is_lead=False, is_admin=False, active=True)
    session.add(created)
    await session.flush()
    await session.refresh(created, ["roles", "user"])
    return created, True


async def leave(session: AsyncSession, team: Team, user_id: int) -> Member | None:
    """The person left or was removed from the group: the membership goes inactive (history
    kept), the lead flag with it. Joining again (ensure_member) restores it."""
    found = await member(session, team, user_id)
    if found is None or not found.active:
        return None
    found.active = False
    found.is_lead = False
    found.is_admin = False
    return found


async def come_back(session: AsyncSession, team: Team, user_id: int) -> Member | None:
    """Someone who had left joined the group again: their membership (roles, history) is back."""
    found = await member(session, team, user_id)
    if found is None or found.active:
        return None
    found.active = True
    return found


async def members(session: AsyncSession, team: Team, *, active_only: bool = True) -> list[Member]:
    query = select(Member).where(Member.team_id == team.id).order_by(Member.id)
    if active_only:
        query = query.where(Member.active.is_(True))
    return list(await session.scalars(query))


async def teams_of(session: AsyncSession, user: User) -> list[Team]:
    query = (
        select(Team)
        .join(Member, Member.team_id == Team.id)
        .where(Member.user_id == user.id, Member.active.is_(True))
        .order_by(Team.id)
    )
    return list(await session.scalars(query))


async def home_team(session: AsyncSession, user: User) -> Team | None:
    """The team a private-chat message is about: the chosen one, else the only one."""
    mine = await teams_of(session, user)
    chosen = next((t for t in mine if t.id == user.active_team_id), None)
    if chosen is not None:
        return chosen
    return mine[0] if len(mine) == 1 else None


def set_roles(member_: Member, role_codes: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(role_codes))
    member_.roles[:] = [r for r in member_.roles if r.role_code in wanted]
    have = {r.role_code for r in member_.roles}
    member_.roles.extend(MemberRole(role_code=code) for code in wanted if code not in have)


def toggle_role(member_: Member, role_code: str) -> bool:
    """Adds or removes a role; True if the member holds it now."""
    codes = list(member_.role_codes)
    if role_code in codes:
        codes.remove(role_code)
    else:
        codes.append(role_code)
    set_roles(member_, codes)
    return role_code in codes


async def migrate_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> Team | None:
    """A group upgraded to a supergroup keeps its team under the new chat id."""
    if await by_chat(session, new_chat_id) is not None:
        return None
    team = await by_chat(session, old_chat_id)
    if team is not None:
        team.chat_id = new_chat_id
    return team

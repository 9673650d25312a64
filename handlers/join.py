"""/join in the group; in private chat the member picks department and role(s)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import to_group
from core.runtime import Runtime
from handlers.common.filters import GROUP, PRIVATE, PRIVATE_CALLBACK
from handlers.common.guards import TEAM_REQUIRED
from models.tables import Team, User
from services.team import teams, users
from views.common import bot_link, mention, roles_text
from views.i18n import I18n, Translator
from views.join import (
    RolePick,
    deep_link_keyboard,
    departments_keyboard,
    known_pick,
    roles_keyboard,
)


async def join_in_group(message: Message, team: Team, t: Translator, runtime: Runtime) -> None:
    link = bot_link(runtime.bot_username, start=team.join_token)
    await message.answer(t("join.invite"), reply_markup=deep_link_keyboard(t("join.button"), link))


async def start_with_token(
    message: Message, command: CommandObject, session: AsyncSession, user: User, i18n: I18n
) -> None:
    users.mark_reachable(user)
    team = await teams.by_token(session, command.args or "")
    t = i18n.for_user(user, team)
    if team is None:
        await session.commit()
        await message.answer(t("join.bad_link"))
        return
    await teams.ensure_member(session, team, user)
    user.active_team_id = team.id
    await session.commit()
    await message.answer(
        t("join.pick_department", team=team.title), reply_markup=departments_keyboard(team.id, 0, t)
    )


async def pick(
    query: CallbackQuery,
    callback_data: RolePick,
    bot: Bot,
    session: AsyncSession,
    user: User,
    t: Translator,
    i18n: I18n,
) -> None:
    team = await session.get(Team, callback_data.team_id)
    member = await teams.member(session, team, user.id) if team else None
    if team is None or member is None or not member.active:
        await query.answer(t("join.bad_link"), show_alert=True)
        return
    action, value = callback_data.action, callback_data.value
    if not known_pick(action, value, callback_data.dept):
        await query.answer(t("common.stale_button"), show_alert=True)
        return
    if action == "page":
        await query.message.edit_text(
            t("join.pick_department", team=team.title),
            reply_markup=departments_keyboard(team.id, callback_data.page, t),
        )
    elif action == "dept":
        await query.message.edit_text(
            t("join.pick_roles"), reply_markup=roles_keyboard(team.id, value, member, t)
        )
    elif action == "role":
        teams.toggle_role(member, value)
        await session.commit()
        await query.message.edit_reply_markup(
            reply_markup=roles_keyboard(team.id, callback_data.dept, member, t)
        )
    elif action == "done":
        if not member.role_codes:
            await query.answer(t("join.need_role"), show_alert=True)
            return
        await session.commit()
        await query.message.edit_text(
            t("join.confirmed", team=team.title, roles=roles_text(member, t))
        )
        group_t = i18n.get(team.locale)
        await bot.send_message(
            **to_group(team),
            text=group_t("join.announce", name=mention(user), roles=roles_text(member, group_t)),
        )
    await query.answer()


def setup() -> Router:
    """The join feature's router, new for each Dispatcher."""
    router = Router(name="join")
    router.message.register(join_in_group, Command("join"), GROUP, flags=TEAM_REQUIRED)
    router.message.register(start_with_token, CommandStart(deep_link=True), PRIVATE)
    router.callback_query.register(pick, RolePick.filter(), PRIVATE_CALLBACK)
    return router

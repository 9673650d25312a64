"""People acting in the emulator as they would in Telegram: shared by the tests and the demo."""

from __future__ import annotations

import kpi
from tgemu import SentMessage, TelegramEmulator
from views.i18n import I18n


def role_path(role_code: str, locale: str) -> tuple[str, str, int]:
    """The department button, the role button and the department's page for a role."""
    from views.join import PAGE_SIZE

    role = kpi.role(role_code)
    departments = kpi.departments()
    index = next(i for i, d in enumerate(departments) if d.code == role.department)
    return departments[index].titles[locale], role.titles[locale], index // PAGE_SIZE


async def register_team(emu: TelegramEmulator, chat_id: int, admin_id: int) -> SentMessage:
    """The admin adds the bot to the group and runs /setup; returns the bot's answer."""
    mark = emu.mark()
    emu.add_bot_to_group(chat_id, admin_id)
    await emu.wait_for(chat_id, "/setup", after=mark)
    mark = emu.mark()
    emu.send(admin_id, chat_id, "/setup")
    return await emu.wait_for(chat_id, after=mark)


async def join_team(
    emu: TelegramEmulator, chat_id: int, user_id: int, role_codes: list[str], locale: str = "ru"
) -> SentMessage:
    """The member taps /join, follows the link, picks roles; returns the group's announcement."""
    i18n = I18n()
    t = i18n.get(locale)
    mark = emu.mark()
    emu.send(user_id, chat_id, "/join")
    invite = await emu.wait_for(chat_id, after=mark)
    url = next(data for row in invite.buttons for _, data in row if data and "start=" in data)
    token = url.split("start=", 1)[1]
    mark = emu.mark()
    emu.send(user_id, user_id, f"/start {token}")
    picker = await emu.wait_for(user_id, after=mark)
    for index, code in enumerate(role_codes):
        dept, role, page = role_path(code, locale)
        for _ in range(page):
            mark = emu.mark()
            emu.press(user_id, picker, "→")
            picker = await emu.wait_for(user_id, after=mark)
        mark = emu.mark()
        emu.press(user_id, picker, dept)
        picker = await emu.wait_for(user_id, after=mark)
        mark = emu.mark()
        emu.press(user_id, picker, role)
        picker = await emu.wait_for(user_id, after=mark)
        if index < len(role_codes) - 1:
            mark = emu.mark()
            emu.press(user_id, picker, t("join.back_to_departments"))
            picker = await emu.wait_for(user_id, after=mark)
    mark = emu.mark()
    emu.press(user_id, picker, t("join.done"))
    return await emu.wait_for(chat_id, after=mark)

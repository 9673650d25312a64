"""Inline keyboards and their callback data."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

import kpi
from models.tables import Member
from views.i18n import Translator

PAGE_SIZE = 8


class RolePick(CallbackData, prefix="rp"):
    action: str
    team_id: int
    value: str = ""
    dept: str = ""
    page: int = 0


def deep_link_keyboard(text: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=text, url=url)]])


def departments_keyboard(team_id: int, page: int, t: Translator) -> InlineKeyboardMarkup:
    departments = kpi.departments()
    pages = max(1, -(-len(departments) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for dept in departments[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        builder.button(
            text=dept.titles[t.locale],
            callback_data=RolePick(action="dept", team_id=team_id, value=dept.code),
        )
    builder.adjust(1)
    nav = []
    if page > 0:
        nav.append(_nav("←", RolePick(action="page", team_id=team_id, page=page - 1)))
    nav.append(_nav(f"{page + 1}/{pages}", RolePick(action="page", team_id=team_id, page=page)))
    if page < pages - 1:
        nav.append(_nav("→", RolePick(action="page", team_id=team_id, page=page + 1)))
    builder.row(*nav)
    builder.row(_nav(t("join.done"), RolePick(action="done", team_id=team_id)))
    return builder.as_markup()


def roles_keyboard(
    team_id: int, dept_code: str, member: Member, t: Translator
) -> InlineKeyboardMarkup:
    dept = next(d for d in kpi.departments() if d.code == dept_code)
    held = set(member.role_codes)
    builder = InlineKeyboardBuilder()
    for role in dept.roles:
        mark = "✅ " if role.code in held else ""
        builder.button(
            text=mark + role.titles[t.locale],
            callback_data=RolePick(action="role", team_id=team_id, value=role.code, dept=dept_code),
        )
    builder.adjust(1)
    builder.row(
        _nav(t("join.back_to_departments"), RolePick(action="page", team_id=team_id)),
        _nav(t("join.done"), RolePick(action="done", team_id=team_id)),
    )
    return builder.as_markup()


def _nav(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())

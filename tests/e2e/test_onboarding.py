"""Onboarding through the emulator: the real bot, its real HTTP session, a real database."""

from __future__ import annotations

from sqlalchemy import func, select

from demo.scenario import join_team, register_team
from models.db import session_maker
from models.tables import Member, Team
from tests.support.app import bot_running, make_settings

GROUP = -100100
ADMIN, ANNA, BORIS = 1, 11, 12


def people(emu) -> None:
    emu.add_user(ADMIN, "Ольга", username="olga", language_code="ru")
    emu.add_user(ANNA, "Анна", username="anna", language_code="ru")
    emu.add_user(BORIS, "Борис", username="boris", language_code="ru")
    emu.add_group(GROUP, "Маркетинг", creator=ADMIN, members=[ANNA, BORIS])


async def count(app, model, *where) -> int:
    async with session_maker(app.engine)() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


async def test_added_to_group_greets_and_setup_is_for_admins_only(emu, app):
    people(emu)
    mark = emu.mark()
    emu.add_bot_to_group(GROUP, ADMIN)
    greeting = await emu.wait_for(GROUP, "/setup", after=mark)
    assert "Планёрка" in greeting.plain

    mark = emu.mark()
    emu.send(ANNA, GROUP, "/setup")
    refusal = await emu.wait_for(GROUP, after=mark)
    assert "только администратор" in refusal.plain
    assert await count(app, Team) == 0

    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/setup")
    done = await emu.wait_for(GROUP, after=mark)
    assert "Команда подключена" in done.plain
    assert "понедельник в 10:00" in done.plain
    assert "Europe/Moscow" in done.plain

    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/setup")
    again = await emu.wait_for(GROUP, after=mark)
    assert "уже подключена" in again.plain
    assert await count(app, Team) == 1


async def test_join_picks_roles_in_private_and_announces_in_group(emu, app):
    people(emu)
    await register_team(emu, GROUP, ADMIN)
    announce = await join_team(emu, GROUP, ANNA, ["context_ads_specialist", "smm_manager"])
    assert "Анна" in announce.plain
    assert "Контекстолог" in announce.plain

    confirmation = emu.last(ANNA)
    assert "Вы в команде «Маркетинг»" in confirmation.plain

    async with session_maker(app.engine)() as s:
        member = await s.scalar(select(Member).where(Member.user_id == ANNA))
        assert member.role_codes == ("context_ads_specialist", "smm_manager")

    mark = emu.mark()
    emu.send(BORIS, GROUP, "/members")
    listing = await emu.wait_for(GROUP, after=mark)
    assert "В команде 1 человек" in listing.plain
    assert "Анна" in listing.plain and "на связи" in listing.plain


async def test_done_without_a_role_is_refused(emu, app):
    people(emu)
    await register_team(emu, GROUP, ADMIN)
    mark = emu.mark()
    emu.send(ANNA, GROUP, "/join")
    invite = await emu.wait_for(GROUP, after=mark)
    token = invite.buttons[0][0][1].split("start=")[1]
    mark = emu.mark()
    emu.send(ANNA, ANNA, f"/start {token}")
    picker = await emu.wait_for(ANNA, after=mark)
    query_id = emu.press(ANNA, picker, "Готово")
    answer = await emu.wait_answer(query_id)
    assert "хотя бы одну роль" in answer["text"]
    assert emu.messages(GROUP)[-1].message_id == invite.message_id  # nothing announced


async def test_a_bad_deep_link_is_explained(emu, app):
    people(emu)
    mark = emu.mark()
    emu.send(ANNA, ANNA, "/start not-a-token")
    answer = await emu.wait_for(ANNA, after=mark)
    assert "Ссылка устарела" in answer.plain


async def test_leads_are_admins_and_those_named_with_lead(emu, app):
    people(emu)
    await register_team(emu, GROUP, ADMIN)
    await join_team(emu, GROUP, ANNA, ["targetologist"])
    await join_team(emu, GROUP, BORIS, ["seo_specialist"])

    mark = emu.mark()
    emu.send(BORIS, GROUP, "/lead @anna")
    assert "только ведущие" in (await emu.wait_for(GROUP, after=mark)).plain

    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/lead @anna")
    assert "Анна теперь ведущий" in (await emu.wait_for(GROUP, after=mark)).plain

    mark = emu.mark()
    emu.send(ANNA, GROUP, "/settings time 09:30")
    assert "09:30" in (await emu.wait_for(GROUP, after=mark)).plain

    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/unlead @anna")
    assert "больше не ведущий" in (await emu.wait_for(GROUP, after=mark)).plain
    mark = emu.mark()
    emu.send(ANNA, GROUP, "/settings time 11:00")
    assert "только ведущие" in (await emu.wait_for(GROUP, after=mark)).plain
    async with session_maker(app.engine)() as s:
        assert (await s.scalar(select(Team))).meeting_time == "09:30"


async def test_settings_buttons_and_refused_values(emu, app):
    people(emu)
    await register_team(emu, GROUP, ADMIN)
    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/settings")
    panel = await emu.wait_for(GROUP, after=mark)
    assert "Настройки команды" in panel.plain

    mark = emu.mark()
    emu.press(ADMIN, panel, "раз в две недели")
    edited = await emu.wait_for(GROUP, after=mark)
    assert "Ритм: раз в две недели" in edited.plain

    query_id = emu.press(ANNA, edited, "каждую неделю")
    assert "только ведущие" in (await emu.wait_answer(query_id))["text"]

    for command, reason in (
        ("/settings time 25:00", "не время"),
        ("/settings tz Mars/Olympus", "Не знаю часовой пояс"),
        ("/settings currency XYZ", "не код валюты"),
        ("/settings day someday", "не день недели"),
        ("/settings volume 11", "Нет настройки"),
    ):
        mark = emu.mark()
        emu.send(ADMIN, GROUP, command)
        assert reason in (await emu.wait_for(GROUP, after=mark)).plain, command

    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/settings tz Asia/Novosibirsk")
    assert "Asia/Novosibirsk" in (await emu.wait_for(GROUP, after=mark)).plain
    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/settings lang en")
    assert "Language: English" in (await emu.wait_for(GROUP, after=mark)).plain

    async with session_maker(app.engine)() as s:
        team = await s.scalar(select(Team))
    assert (team.cadence, team.timezone, team.meeting_time, team.currency, team.locale) == (
        "biweekly",
        "Asia/Novosibirsk",
        "10:00",
        "RUB",
        "en",
    )


async def test_supergroup_upgrade_keeps_the_team(emu, app):
    people(emu)
    await register_team(emu, GROUP, ADMIN)
    await join_team(emu, GROUP, ANNA, ["smm_manager"])
    new_id = -1009990001
    emu.migrate_to_supergroup(GROUP, new_id)
    await emu.wait_idle()
    mark = emu.mark()
    emu.send(BORIS, new_id, "/members")
    listing = await emu.wait_for(new_id, after=mark)
    assert "Анна" in listing.plain
    assert await count(app, Team, Team.chat_id == new_id) == 1


async def test_removed_pauses_and_added_back_resumes(emu, app):
    people(emu)
    await register_team(emu, GROUP, ADMIN)
    await join_team(emu, GROUP, ANNA, ["smm_manager"])
    emu.remove_bot_from_group(GROUP, ADMIN)
    await emu.wait_idle()
    assert await count(app, Team, Team.paused.is_(True)) == 1
    mark = emu.mark()
    emu.add_bot_to_group(GROUP, ADMIN)
    assert "все данные на месте" in (await emu.wait_for(GROUP, after=mark)).plain
    assert await count(app, Team, Team.paused.is_(False)) == 1
    assert await count(app, Member) == 1


async def test_two_teams_never_see_each_other(emu, app):
    people(emu)
    other, carl = -100200, 21
    emu.add_user(carl, "Карл", username="carl", language_code="ru")
    emu.add_group(other, "Другая команда", creator=carl, members=[BORIS])
    await register_team(emu, GROUP, ADMIN)
    await register_team(emu, other, carl)
    await join_team(emu, GROUP, ANNA, ["smm_manager"])
    await join_team(emu, other, BORIS, ["seo_specialist"])
    mark = emu.mark()
    emu.send(carl, other, "/settings time 12:00")
    await emu.wait_for(other, after=mark)

    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/members")
    mine = await emu.wait_for(GROUP, after=mark)
    assert "Анна" in mine.plain and "Борис" not in mine.plain
    mark = emu.mark()
    emu.send(carl, other, "/members")
    theirs = await emu.wait_for(other, after=mark)
    assert "Борис" in theirs.plain and "Анна" not in theirs.plain
    mark = emu.mark()
    emu.send(ADMIN, GROUP, "/settings")
    assert "10:00" in (await emu.wait_for(GROUP, after=mark)).plain


async def test_restart_keeps_teams_and_members(emu, database_url, clock):
    people(emu)
    settings = make_settings(emu, database_url)
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600):
        await register_team(emu, GROUP, ADMIN)
        await join_team(emu, GROUP, ANNA, ["email_marketer"])
    async with bot_running(emu, settings, clock=clock, tick_seconds=3600):
        mark = emu.mark()
        emu.send(BORIS, GROUP, "/members")
        listing = await emu.wait_for(GROUP, after=mark)
    assert "Анна" in listing.plain


async def test_help_in_both_chats_and_language_choice(emu, app):
    people(emu)
    emu.add_user(31, "John", username="john", language_code="en")
    mark = emu.mark()
    emu.send(31, 31, "/start")
    assert "Hi, John" in (await emu.wait_for(31, after=mark)).plain
    mark = emu.mark()
    emu.send(31, 31, "/help")
    assert "In private chat" in (await emu.wait_for(31, after=mark)).plain
    mark = emu.mark()
    emu.send(31, 31, "/lang ru")
    assert "по-русски" in (await emu.wait_for(31, after=mark)).plain
    mark = emu.mark()
    emu.send(31, 31, "/help")
    assert "В личном чате" in (await emu.wait_for(31, after=mark)).plain
    mark = emu.mark()
    emu.send(31, 31, "/lang de")
    assert "/lang ru" in (await emu.wait_for(31, after=mark)).plain

    await register_team(emu, GROUP, ADMIN)
    mark = emu.mark()
    emu.send(ANNA, GROUP, "/help")
    assert "/planerka" in (await emu.wait_for(GROUP, after=mark)).plain


async def test_command_menu_is_set_per_scope_and_language(emu, app):
    scopes = {key for key in emu.commands}
    assert any("all_private_chats" in str(k) and "ru" in str(k) for k in scopes)
    assert any("all_group_chats" in str(k) and "en" in str(k) for k in scopes)


async def test_the_bot_works_when_the_command_menu_is_refused(emu, database_url, clock):
    people(emu)
    emu.fail_method("setMyCommands", 400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    async with bot_running(emu, make_settings(emu, database_url), clock=clock, tick_seconds=3600):
        assert any(method == "setMyCommands" for method, _ in emu.calls)
        assert not emu.commands
        greeting = await register_team(emu, GROUP, ADMIN)
    assert "Команда подключена" in greeting.plain

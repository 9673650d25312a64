"""The offline demo: the real bot against the emulator, with a scripted team.

A lead and five specialists of different seed roles go through the whole rhythm, stage by
stage; the chat is printed as it happens. Time is a manual clock the script moves forward.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.app import App, running
from core.config import Settings
from core.runtime import ManualClock
from demo.scenario import join_team, register_team
from tgemu import TelegramEmulator
from tgemu.transcript import print_event

MSK = ZoneInfo("Europe/Moscow")
GROUP = -1001234567890
TOKEN = "123456:DEMO-TOKEN-planerka"
DATABASE = "planerka.sqlite3"  # in the --out folder


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    username: str
    roles: tuple[str, ...]


LEAD = Person(1, "Ольга Смирнова", "olga_lead", ("head_of_internet_marketing",))
TEAM = (
    Person(11, "Анна Котова", "anna_ppc", ("context_ads_specialist",)),
    Person(12, "Борис Орлов", "boris_target", ("targetologist",)),
    Person(13, "Вера Пак", "vera_smm", ("smm_manager",)),
    Person(14, "Глеб Иванов", "gleb_seo", ("seo_specialist",)),
    Person(15, "Дина Лунева", "dina_email", ("email_marketer",)),
)


@dataclass
class Demo:
    emu: TelegramEmulator
    app: App
    clock: ManualClock
    out: Path
    lead: Person = LEAD
    team: tuple[Person, ...] = TEAM
    notes: list[str] = field(default_factory=list)
    serve: bool = False  # keep serving the dashboard at the end (--serve)

    def say(self, text: str) -> None:
        print(f"\n——— {text} ———", flush=True)

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)
        self.say(moment.astimezone(MSK).strftime("%a %d.%m.%Y %H:%M MSK"))


Stage = Callable[[Demo], Awaitable[None]]


async def onboarding(demo: Demo) -> None:
    demo.say("Ольга adds the bot to the team group and registers the team")
    await register_team(demo.emu, GROUP, demo.lead.user_id)
    demo.say("Everyone joins and picks their role in private chat")
    for person in (demo.lead, *demo.team):
        await join_team(demo.emu, GROUP, person.user_id, list(person.roles))
    mark = demo.emu.mark()
    demo.emu.send(demo.lead.user_id, GROUP, "/members")
    await demo.emu.wait_for(GROUP, after=mark)


def stages() -> list[Stage]:
    from demo.checkins import checkins, late
    from demo.dashboard import dashboard
    from demo.digest import digest, history, saved
    from demo.meeting import meeting

    return [onboarding, history, checkins, digest, late, meeting, saved, dashboard]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run_demo(settings: Settings, out: str = "demo-output", serve: bool = False) -> int:
    emu = TelegramEmulator(
        token=TOKEN, bot_username="planerka_demo_bot", bot_name="Планёрка", on_event=print_event
    )
    await emu.start()
    for person in (LEAD, *TEAM):
        first, last = person.name.split(" ", 1)
        emu.add_user(person.user_id, first, last_name=last, username=person.username)
    emu.add_group(
        GROUP, "Маркетинг · планёрка", creator=LEAD.user_id, members=[p.user_id for p in TEAM]
    )
    clock = ManualClock(datetime(2026, 11, 20, 12, 0, tzinfo=MSK))
    port = free_port()
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / DATABASE
    database.unlink(missing_ok=True)  # every run starts from an empty team
    # the database stays in --out: `planerka digest` and `db copy` can read it afterwards
    demo_settings = settings.model_copy(
        update={
            "bot_token": SecretStr(TOKEN),
            "telegram_api_url": emu.api_url,
            "database_url": f"sqlite+aiosqlite:///{database}",
            "redis_url": None,
            # The emulator isn't Telegram: no need to pace the demo at 20 group posts/min.
            "delivery_group_per_min": 0,
            "delivery_private_per_s": 0,
            # The Mini App on a free local port; its links point there.
            "webapp_url": f"http://127.0.0.1:{port}/app/",
            "webapp_host": "127.0.0.1",
            "webapp_port": port,
        }
    )
    try:
        async with running(demo_settings, clock=clock, tick_seconds=3600) as app:
            emu.bot_busy = app.busy
            demo = Demo(emu=emu, app=app, clock=clock, out=out_dir, serve=serve)
            print("planerka demo: the real bot against the Bot API emulator (no BOT_TOKEN set)")
            for stage in stages():
                await stage(demo)
                await emu.wait_idle()
    finally:
        await emu.stop()
    print(f"\nDemo finished. Output: {out_dir} (its database: {database})", flush=True)
    return 0

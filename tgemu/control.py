"""HTTP control API (/control/*) mirroring the Python API, for other processes or curl."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator

dumps = functools.partial(json.dumps, ensure_ascii=False, default=str)
Action = Callable[["TelegramEmulator", dict[str, Any]], Any]


def _ok(result: Any, status: int = 200) -> web.Response:
    return web.json_response({"ok": True, "result": result}, status=status, dumps=dumps)


def _fail(error: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "error": error}, status=status, dumps=dumps)


def _user(emu: TelegramEmulator, b: dict[str, Any]) -> Any:
    user = emu.add_user(
        b["id"],
        b["first_name"],
        username=b.get("username"),
        last_name=b.get("last_name"),
        language_code=b.get("language_code", "ru"),
    )
    return user.to_api()


def _group(emu: TelegramEmulator, b: dict[str, Any]) -> Any:
    chat = emu.add_group(
        b["id"],
        b["title"],
        creator=b["creator"],
        admins=b.get("admins", ()),
        members=b.get("members", ()),
        supergroup=b.get("supergroup", False),
        with_bot=b.get("with_bot", False),
        forum=b.get("forum", False),
    )
    return chat.to_api()


def _message_json(m: Any) -> dict[str, Any]:
    return {"chat_id": m.chat_id, "message_id": m.message_id, "update_id": m.update_id}


def _send(emu: TelegramEmulator, b: dict[str, Any]) -> Any:
    chat_id = b.get("chat_id", b["user_id"])
    anonymous = bool(b.get("anonymous", False))
    sent = emu.send(
        b["user_id"],
        chat_id,
        b["text"],
        reply_to=b.get("reply_to"),
        anonymous=anonymous,
        thread_id=b.get("thread_id"),
    )
    return _message_json(sent)


def _press(emu: TelegramEmulator, b: dict[str, Any]) -> Any:
    query_id = emu.press(b["user_id"], b["message_id"], b["button"], chat_id=b.get("chat_id"))
    return {"callback_query_id": query_id}


def _limits(emu: TelegramEmulator, b: dict[str, Any] | None) -> Any:
    if not b or b.get("off"):
        emu.set_limits(None)
    else:
        emu.set_limits(
            b.get("global_per_s", 30), b.get("private_per_s", 1.0), b.get("group_per_min", 20)
        )
    return True


def _faults(emu: TelegramEmulator, b: dict[str, Any] | None) -> Any:
    emu.set_faults(**(b or {}))
    return True


def _fail_method(emu: TelegramEmulator, b: dict[str, Any]) -> Any:
    if b.get("off"):
        emu.unfail_method(b["method"])
    else:
        emu.fail_method(b["method"], b.get("error_code", 400), b.get("description"), b.get("times"))
    return True


ACTIONS: dict[str, Action] = {
    "users": _user,
    "groups": _group,
    "send": _send,
    "press": _press,
    "bot_added": lambda e, b: _message_json(
        e.add_bot_to_group(b["chat_id"], b["by_user_id"], as_admin=b.get("as_admin", False))
    ),
    "bot_removed": lambda e, b: e.remove_bot_from_group(b["chat_id"], b["by_user_id"]),
    "members": lambda e, b: _message_json(
        e.add_member(b["chat_id"], b["user_id"], b.get("by_user_id"))
    ),
    "admins": lambda e, b: e.set_admins(b["chat_id"], b["user_ids"]),
    "topics": lambda e, b: {
        "message_thread_id": e.create_topic(b["chat_id"], b["name"], b["by_user_id"])
    },
    "delete_topic": lambda e, b: e.delete_topic(b["chat_id"], b["thread_id"]),
    "migrate": lambda e, b: e.migrate_to_supergroup(
        b["chat_id"], b["new_chat_id"], b.get("by_user_id")
    ).to_api(),
    "block": lambda e, b: (e.block_bot if b.get("blocked", True) else e.unblock_bot)(b["user_id"]),
    "limits": _limits,
    "faults": _faults,
    "fail_method": _fail_method,
    "expire_callback": lambda e, b: e.expire_callback(str(b["callback_query_id"])),
    "callback_ttl": lambda e, b: setattr(e, "callback_ttl", b.get("seconds")),
}


def _sent(emu: TelegramEmulator, q: Any) -> Any:
    after = int(q.get("after", -1))
    chat_id = int(q["chat_id"]) if q.get("chat_id") else None
    return [
        m.to_json()
        for m in emu.sent
        if (chat_id is None or m.chat_id == chat_id) and m.updated_seq > after
    ]


READERS: dict[str, Callable[[TelegramEmulator, Any], Any]] = {
    "sent": _sent,
    "mark": lambda e, q: e.mark(),
    "stats": lambda e, q: e.stats.to_json(),
    "calls": lambda e, q: [{"method": m, "params": p} for m, p in e.calls],
    "callback_answers": lambda e, q: e.callback_answers,
    "commands": lambda e, q: [
        {"scope": s, "chat_id": c, "language_code": lang, "commands": cmds}
        for (s, c, lang), cmds in e.commands.items()
    ],
    "transcript": lambda e, q: e.transcript(),
}


def add_control_routes(app: web.Application, emu: TelegramEmulator) -> None:
    def post(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            try:
                body = await request.json() if request.can_read_body else None
                return _ok(action(emu, body))
            except (ValueError, KeyError, TypeError) as error:
                return _fail(f"{type(error).__name__}: {error}")

        return handler

    def get(reader: Callable[[TelegramEmulator, Any], Any]) -> Any:
        async def handler(request: web.Request) -> web.Response:
            try:
                return _ok(reader(emu, request.query))
            except (ValueError, KeyError) as error:
                return _fail(f"{type(error).__name__}: {error}")

        return handler

    async def wait_for(request: web.Request) -> web.Response:
        b = await request.json()
        try:
            sent = await emu.wait_for(
                b["chat_id"], b.get("contains"), timeout=b.get("timeout", 5.0), after=b.get("after")
            )
        except AssertionError as error:
            return _fail(str(error), 408)
        return _ok(sent.to_json())

    async def wait_idle(request: web.Request) -> web.Response:
        b = await request.json() if request.can_read_body else {}
        try:
            await emu.wait_idle(b.get("quiet", 0.2), b.get("timeout", 10.0))
        except AssertionError as error:
            return _fail(str(error), 408)
        return _ok(True)

    for name, action in ACTIONS.items():
        app.router.add_post(f"/control/{name}", post(action))
    for name, reader in READERS.items():
        app.router.add_get(f"/control/{name}", get(reader))
    app.router.add_post("/control/wait_for", wait_for)
    app.router.add_post("/control/wait_idle", wait_idle)

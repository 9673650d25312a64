"""The aiohttp application: Bot API at /bot<token>/<method>, files, and /control/*."""

from __future__ import annotations

import asyncio
import functools
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tgemu.api import METHODS
from tgemu.control import add_control_routes
from tgemu.errors import ApiError
from tgemu.params import read_params

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator

MAX_BODY = 64 * 1024 * 1024
dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_answer(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=dumps)


class BotApiServer:
    def __init__(self, emu: TelegramEmulator) -> None:
        self.emu = emu

    async def handle(self, request: web.Request) -> web.StreamResponse:
        emu = self.emu
        if request.match_info["token"] != emu.token:
            return json_answer(ApiError(401, "Unauthorized").to_json(), 401)
        entry = METHODS.get(request.match_info["method"].lower())
        if entry is None:
            return json_answer(ApiError(404, "Not Found").to_json(), 404)
        name, handler = entry
        polling = name == "getUpdates"
        if not polling:
            emu._inflight += 1
            emu._touch()
        try:
            params = await read_params(request)
            emu.calls.append((name, params.summary()))
            emu.stats.calls_by_method[name] += 1
            fault = emu.faults.draw(name)
            if fault is not None:
                return await self._fault(request, *fault)
            self._forced_error(name)
            result = await handler(emu, params)
        except ApiError as error:
            emu.stats.errors_by_code[error.code] += 1
            return json_answer(error.to_json(), error.code)
        finally:
            if not polling:
                emu._inflight -= 1
                emu._touch()
        if polling:
            transport = request.transport
            if result and transport is not None and not transport.is_closing():
                emu.queue.mark_fetched(result)
                emu._touch()
        return json_answer({"ok": True, "result": result})

    def _forced_error(self, name: str) -> None:
        forced = self.emu.method_errors.get(name.lower())
        if forced is None:
            return
        if forced["times"] is not None:
            forced["times"] -= 1
            if forced["times"] <= 0:
                self.emu.method_errors.pop(name.lower())
        raise ApiError(forced["code"], forced["description"])

    async def _fault(self, request: web.Request, kind: str, status: int) -> web.StreamResponse:
        self.emu.stats.faults_by_kind[kind] += 1
        if kind == "error_5xx":
            description = "Internal Server Error" if status == 500 else "Bad Gateway"
            return json_answer(ApiError(status, description).to_json(), status)
        if kind == "timeout":
            await asyncio.sleep(self.emu.faults.hang_seconds)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=504)

    async def download(self, request: web.Request) -> web.StreamResponse:
        stored = None
        if request.match_info["token"] == self.emu.token:
            stored = self.emu.files.by_path(request.match_info["path"])
        if stored is None:
            return json_answer(ApiError(404, "Not Found").to_json(), 404)
        mime = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=mime)


def build_app(emu: TelegramEmulator) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    api = BotApiServer(emu)
    app.router.add_get("/file/bot{token}/{path:.+}", api.download)
    add_control_routes(app, emu)
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    return app

"""The Mini App's web side: the page and its JSON API under /app/, on the bot's own aiohttp
server (webhook mode: the webhook's app; polling mode: a small server on WEBAPP_PORT).

Every /app/api/ call carries `Authorization: tma <initData>` (401 without valid initData) and
is authorised per team by the bot's rules: active members see the team's scorecard and their
own numbers, other people's numbers only leads see (as with /export), former members nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import kpi
from bot.webapp import auth, payload
from core.delivery import to_group
from core.runtime import Runtime
from handlers.common import leads
from models.tables import Member, Task, Team, User
from services import dashboard as dash
from services.common.clock import team_today
from services.common.errors import UserError
from services.reports import summary as sm
from services.tasks import tasks as task_service
from services.team import teams
from views import summary as summary_view
from views.common import error_text
from views.i18n import Translator, escape

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
RUNTIME = web.AppKey("planerka_runtime", Runtime)
USER = web.RequestKey("planerka_webapp_user", auth.WebAppUser)
PREFIX = "/app"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


_REFUSALS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
    409: web.HTTPConflict,
}


def ApiError(status: int, reason: str) -> web.HTTPException:
    """A refusal with its translated reason as JSON."""
    body = json.dumps({"error": reason}, ensure_ascii=False)
    return _REFUSALS[status](text=body, content_type="application/json")


def _runtime(request: web.Request) -> Runtime:
    return request.app[RUNTIME]


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(f"{PREFIX}/api/"):
        return await handler(request)
    runtime = _runtime(request)
    token = runtime.settings.bot_token
    assert token is not None
    init_data = auth.from_header(request.headers.get("Authorization"))
    try:
        request[USER] = auth.validate(init_data, token.get_secret_value(), runtime.now())
    except auth.InitDataError as error:
        log.info("webapp: refused initData (%s)", error.reason)
        t = runtime.i18n.get(None)
        raise ApiError(401, t("webapp.error.auth")) from None
    return await handler(request)


@dataclass
class Access:
    """Who is asking about which team, in which language."""

    team: Team
    member: Member | None  # None for a lead who doesn't report numbers themself
    is_lead: bool
    t: Translator

    @property
    def member_id(self) -> int | None:
        return self.member.id if self.member is not None else None


async def _translator(
    request: web.Request, session: AsyncSession, team: Team | None = None
) -> Translator:
    """The bot's one language rule (I18n.for_user); someone the bot hasn't met yet: the
    language their Telegram gives in initData."""
    tg, i18n = request[USER], _runtime(request).i18n
    user = await session.get(User, tg.id)
    if user is None:
        return i18n.pick(tg.language_code, team.locale if team else None)
    return i18n.for_user(user, team)


async def _access(request: web.Request, session: AsyncSession) -> Access:
    runtime, tg = _runtime(request), request[USER]
    try:
        team = await session.get(Team, int(request.match_info["team_id"]))
    except ValueError:
        team = None
    t = await _translator(request, session, team)
    if team is None:
        raise ApiError(403, t("webapp.error.not_member"))
    member = await teams.member(session, team, tg.id)
    if member is not None and not member.active:
        member = None  # a former member: nothing, unless they lead the group
    is_lead = await leads.is_lead(runtime.bot, session, team, tg.id)
    if member is None and not is_lead:
        raise ApiError(403, t("webapp.error.not_member"))
    return Access(team, member, is_lead, t)


async def _scorecard(request: web.Request, session: AsyncSession, team: Team) -> dash.Scorecard:
    now = _runtime(request).now()
    period = await sm.due_period_now(session, team, now)
    return await dash.scorecard(session, team, period)


# ----------------------------------------------------------------------------- pages


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


# ----------------------------------------------------------------------------- api


async def me(request: web.Request) -> web.Response:
    """The user, their teams with their role in each, and the page's texts."""
    runtime, tg = _runtime(request), request[USER]
    async with runtime.sessionmaker() as session:
        t = await _translator(request, session)
        user = await session.get(User, tg.id)
        found = []
        mine = await teams.teams_of(session, user) if user is not None else []
        created = await session.scalars(select(Team).where(Team.created_by == tg.id))
        mine += [x for x in created if x.id not in {m.id for m in mine}]
        for team in mine:
            is_lead = await leads.is_lead(runtime.bot, session, team, tg.id)
            member = await teams.member(session, team, tg.id)
            if member is not None and not member.active:
                member = None
            if member is None and not is_lead:
                continue
            found.append(
                {
                    "id": team.id,
                    "title": team.title,
                    "role": "lead" if is_lead else "member",
                    "member_id": member.id if member is not None else None,
                }
            )
        await session.commit()  # a lead's admin flag may have been refreshed
    start = tg.start_param or ""
    chosen = next((x["id"] for x in found if str(x["id"]) == start), None)
    return web.json_response(
        {
            "user": {"id": tg.id, "name": " ".join(filter(None, [tg.first_name, tg.last_name]))},
            "locale": t.locale,
            "teams": found,
            "team_id": chosen if chosen is not None else (found[0]["id"] if found else None),
            "texts": payload.texts(runtime.i18n, t),
        }
    )


async def scorecard(request: web.Request) -> web.Response:
    async with _runtime(request).sessionmaker() as session:
        access = await _access(request, session)
        by = request.query.get("by", "role")
        if by not in dash.GROUPINGS:
            raise ApiError(400, summary_view.plain(access.t("webapp.error.grouping", value=by)))
        card = await _scorecard(request, session, access.team)
        body = payload.scorecard_json(card, access.t, by)
        body["lead"] = access.is_lead
        body["me"] = access.member_id
        return web.json_response(body)


async def cell(request: web.Request) -> web.Response:
    """Who contributed what to one cell of the scorecard."""
    async with _runtime(request).sessionmaker() as session:
        access = await _access(request, session)
        card = await _scorecard(request, session, access.team)
        q = request.query
        role, code, key = q.get("role", ""), q.get("kpi", ""), q.get("period", "")
        found = dash.contributions(card, role, code, key)
        view = card.view(key)
        if found is None or view is None:
            raise ApiError(404, access.t("webapp.error.not_found"))
        line, people = found
        body = payload.breakdown_json(
            card, role, line, view.period, people, access.t,
            viewer=access.member, everyone=access.is_lead,
        )  # fmt: skip
        return web.json_response(body)


async def members(request: web.Request) -> web.Response:
    async with _runtime(request).sessionmaker() as session:
        access = await _access(request, session)
        t = access.t
        found = [
            {
                "member_id": m.id,
                "name": payload.user_name(m.user),
                "roles": [kpi.role(c).titles[t.locale] for c in m.role_codes],
                "open": access.is_lead or m.id == access.member_id,
            }
            for m in await teams.members(session, access.team)
        ]
        return web.json_response({"members": found, "lead": access.is_lead})


async def member_card(request: web.Request) -> web.Response:
    """One member's own numbers: for the member themself and for leads."""
    async with _runtime(request).sessionmaker() as session:
        access = await _access(request, session)
        try:
            wanted = int(request.match_info["member_id"])
        except ValueError:
            wanted = 0
        if wanted != access.member_id and not access.is_lead:
            raise ApiError(403, access.t("webapp.error.leads_only"))
        member = await session.get(Member, wanted)
        if member is None or member.team_id != access.team.id or not member.active:
            raise ApiError(404, access.t("webapp.error.not_found"))
        card = await _scorecard(request, session, access.team)
        count = await session.scalar(
            select(func.count()).where(
                Task.owner_member_id == member.id, Task.status == task_service.OPEN
            )
        )
        return web.json_response(payload.member_json(card, member, access.t, int(count or 0)))


async def task_list(request: web.Request) -> web.Response:
    async with _runtime(request).sessionmaker() as session:
        access = await _access(request, session)
        today = team_today(_runtime(request).now(), access.team.timezone)
        board = await dash.task_board(session, access.team, today)
        items = [
            payload.task_json(
                item, access.t, today,
                can_edit=task_service.can_finish(
                    item.task, item.owner, request[USER].id, access.is_lead
                ),
            )
            for item in board
        ]  # fmt: skip
        return web.json_response({"tasks": items, "me": access.member_id})


async def _own_task(request: web.Request, session: AsyncSession, access: Access) -> tuple:
    try:
        task = await task_service.get(session, int(request.match_info["task_id"]))
    except ValueError:
        task = None
    if task is None or task.team_id != access.team.id:
        raise ApiError(404, access.t("task.error.gone"))
    owner = await task_service.owner_of(session, task)
    if not task_service.can_finish(task, owner, request[USER].id, access.is_lead):
        raise ApiError(403, access.t("task.error.owner_rights"))
    if task.status != task_service.OPEN:
        raise ApiError(409, access.t("task.error.closed"))
    return task, owner


async def task_done(request: web.Request) -> web.Response:
    """As the task's «Готово» button: marked done, and the group told."""
    runtime = _runtime(request)
    async with runtime.sessionmaker() as session:
        access = await _access(request, session)
        task, owner = await _own_task(request, session, access)
        task_service.mark_done(task, runtime.now())
        await session.commit()
        group_t = runtime.i18n.get(access.team.locale)
        await runtime.bot.send_message(
            **to_group(access.team),
            text=group_t(
                "task.done_announce", owner=escape(payload.user_name(owner.user)),
                text=escape(task.text),
            ),
        )  # fmt: skip
        return web.json_response({"ok": True, "message": access.t("task.done_short")})


async def task_due(request: web.Request) -> web.Response:
    """As «Новый срок»: the deadline read by the bot's own date rules."""
    runtime = _runtime(request)
    async with runtime.sessionmaker() as session:
        access = await _access(request, session)
        task, _owner = await _own_task(request, session, access)
        try:
            body = await request.json()
        except ValueError:
            body = {}
        typed = str(body.get("due", "")) if isinstance(body, dict) else ""
        today = team_today(runtime.now(), access.team.timezone)
        try:
            due = task_service.read_due(typed[:100], today=today, locale=access.t.locale)
            task_service.move(task, due, today)
        except UserError as error:
            raise ApiError(400, summary_view.plain(error_text(error, access.t))) from None
        await session.commit()
        text = access.t(
            "task.due_moved", text=escape(task.text), due=payload.due_text(task, access.t, today)
        )
        return web.json_response({"ok": True, "message": summary_view.plain(text)})


async def meetings(request: web.Request) -> web.Response:
    async with _runtime(request).sessionmaker() as session:
        access = await _access(request, session)
        zone = ZoneInfo(access.team.timezone)
        found = await dash.minutes_archive(session, access.team)
        return web.json_response(
            {"meetings": [payload.minutes_json(m, access.t, zone) for m in found]}
        )


def build(runtime: Runtime) -> web.Application:
    """The /app sub-application: the page, its files, its API."""
    app = web.Application(middlewares=[authenticate], client_max_size=64 * 1024)
    app[RUNTIME] = runtime
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, append_version=False)
    team = "/api/teams/{team_id}"
    app.router.add_get("/api/me", me)
    app.router.add_get(f"{team}/scorecard", scorecard)
    app.router.add_get(f"{team}/cell", cell)
    app.router.add_get(f"{team}/members", members)
    app.router.add_get(f"{team}/members/{{member_id}}", member_card)
    app.router.add_get(f"{team}/tasks", task_list)
    app.router.add_post(f"{team}/tasks/{{task_id}}/done", task_done)
    app.router.add_post(f"{team}/tasks/{{task_id}}/due", task_due)
    app.router.add_get(f"{team}/meetings", meetings)
    return app


def mount(app: web.Application, runtime: Runtime) -> None:
    """The Mini App under /app/ of an aiohttp app (the webhook's, or the polling-mode one)."""
    app.add_subapp(f"{PREFIX}/", build(runtime))

    async def to_app(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"{PREFIX}/")

    app.router.add_get(PREFIX, to_app)


@dataclass
class WebAppServer:
    runner: web.AppRunner
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}/"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve(runtime: Runtime, host: str, port: int) -> WebAppServer:
    """Polling mode: the Mini App on its own small server (port 0: any free port)."""
    app = web.Application()
    mount(app, runtime)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound = runner.addresses[0][1]
    log.info("webapp: serving the Mini App on %s:%s", host, bound)
    return WebAppServer(runner, bound)

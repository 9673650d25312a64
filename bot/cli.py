"""The `planerka` command: run the bot (or, without BOT_TOKEN, the offline demo), and tools."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence

from pydantic import ValidationError

from bot import digest_cli
from core.config import Settings


def fail(message: str) -> int:
    print(f"planerka: {message}", file=sys.stderr)
    return 2


def load_settings() -> Settings:
    return Settings()


def settings_error(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        parts.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def demo_runner() -> Callable[..., Awaitable[int]] | None:
    """The offline demo's entry point. demo/ (and the emulator it drives) sit next to the
    product in a checkout but aren't shipped in the wheel or the image, so it is looked up at
    run time rather than imported."""
    try:
        return importlib.import_module("demo.run").run_demo
    except ModuleNotFoundError as error:
        if error.name not in ("demo", "demo.run", "tgemu"):
            raise
        return None


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="planerka",
        description="Runs the bot when BOT_TOKEN is set; otherwise the offline demo.",
    )
    sub = root.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (needs BOT_TOKEN)")
    demo = sub.add_parser("demo", help="the real bot against the emulator with a scripted team")
    demo.add_argument("--out", default="demo-output", help="folder for the digest and charts")
    sub.add_parser("worker", help="take scheduled work from the broker (needs BROKER_URL)")
    demo.add_argument(
        "--serve", action="store_true", help="keep serving the dashboard, print a link for Ольга"
    )
    sub.add_parser("migrate", help="bring the database schema up to date")
    digest_cli.add_parser(sub)
    db = sub.add_parser("db", help="database tools").add_subparsers(
        dest="db_command", required=True
    )
    copy = db.add_parser("copy", help="copy all data into a new, empty database, then verify it")
    copy.add_argument("--from", dest="source", required=True, help="e.g. sqlite:///data/x.sqlite3")
    copy.add_argument("--to", dest="target", required=True, help="e.g. postgresql://u:p@host/db")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as error:
        return fail(settings_error(error))
    command = args.command or ("run" if settings.bot_token else "demo")
    quiet = command == "demo" and "log_level" not in settings.model_fields_set
    logging.basicConfig(
        level="WARNING" if quiet else settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from bot.app import StartupError

    try:
        if command == "run":
            if settings.bot_token is None:
                return fail(
                    "BOT_TOKEN is not set (get one from @BotFather), or run `planerka demo`"
                )
            from bot.app import run_forever

            asyncio.run(run_forever(settings))
        elif command == "worker":
            if settings.bot_token is None:
                return fail("BOT_TOKEN is not set: a worker posts as the bot")
            from bot.app import work_forever

            asyncio.run(work_forever(settings))
        elif command == "demo":
            run_demo = demo_runner()
            if run_demo is None:
                return fail("the demo runs from a source checkout (python3 dev.py start)")
            out, serve = getattr(args, "out", "demo-output"), getattr(args, "serve", False)
            return asyncio.run(run_demo(settings, out=out, serve=serve))
        elif command == "digest":
            return digest_cli.run(settings, args, fail)
        elif command == "db":
            from models.dbcopy import run_copy

            return run_copy(args.source, args.target)
        elif command == "migrate":
            from bot.app import open_database

            async def _migrate() -> None:
                engine = await open_database(settings)
                await engine.dispose()

            asyncio.run(_migrate())
    except StartupError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

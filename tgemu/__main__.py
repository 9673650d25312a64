"""Run the emulator standalone: `python -m tgemu --port 8081` (drive it via /control/*)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from tgemu.emulator import TelegramEmulator
from tgemu.transcript import print_event


async def serve(args: argparse.Namespace) -> None:
    emu = TelegramEmulator(
        token=args.token,
        bot_username=args.username,
        bot_name=args.name,
        on_event=None if args.quiet else print_event,
    )
    url = await emu.start(args.host, args.port)
    print(f"Telegram emulator at {url} (bot token {args.token})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tgemu", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="planerka_bot")
    parser.add_argument("--name", default="Планёрка")
    parser.add_argument("--quiet", action="store_true", help="don't print the chat transcript")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()

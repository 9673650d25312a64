"""A readable chat transcript of what people and the bot did (used by the offline demo)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from tgemu.world import Buttons

BOT_MARK = "🤖"


@dataclass(frozen=True)
class Event:
    """kind: user_message | user_edit | bot_message | bot_edit | bot_delete | bot_answer | press |
    bot_photo | bot_album | bot_document | service."""

    kind: str
    chat_id: int
    chat_title: str
    who: str
    text: str = ""
    buttons: Buttons = field(default_factory=list)
    is_private: bool = False


def format_event(event: Event) -> str:
    where = f"[{event.chat_title}]" if not event.is_private else f"[private: {event.chat_title}]"
    text = event.text
    kind = event.kind
    if kind == "press":
        line = f"{where} {event.who} 👆 [ {text} ]"
    elif kind == "service":
        line = f"{where} · {text}"
    elif kind == "bot_answer":
        line = f"{where} {event.who} 💬 {text}"
    elif kind == "bot_delete":
        line = f"{where} {event.who} 🗑 {text}"
    else:
        mark = {
            "bot_edit": " ✎",
            "user_edit": " ✎",
            "bot_photo": " 🖼",
            "bot_album": " 🖼🖼",
            "bot_document": " 📎",
        }
        line = f"{where} {event.who}{mark.get(kind, '')}" + (f": {text}" if text else "")
    lines = line.split("\n")
    out = [lines[0], *("    " + rest for rest in lines[1:])]
    for row in event.buttons:
        out.append("    " + " ".join(f"[ {label} ]" for label, _ in row))
    return "\n".join(out)


def print_event(event: Event, file: TextIO | None = None) -> None:
    """on_event callback printing one transcript entry, e.g. `[Маркетинг] Анна: /setup`."""
    print(format_event(event), file=file or sys.stdout, flush=True)


def bot_who(name: str) -> str:
    return f"{BOT_MARK} {name}"

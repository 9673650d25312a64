"""Telegram Mini App initData: checked exactly as Telegram documents it
(core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).

secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token); the data-check string is every
field but `hash` as key=value, sorted by key, joined by "\\n"; the hex HMAC_SHA256 of it under
secret_key must equal `hash` (compared in constant time), and auth_date must be at most 24 h old.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode

MAX_AGE = timedelta(hours=24)
FUTURE_SLACK = timedelta(minutes=5)  # clocks disagree a little; a date from tomorrow is forged
MAX_LENGTH = 8192
SCHEME = "tma"


class InitDataError(ValueError):
    """initData that doesn't prove who the user is; `reason` is for logs and tests."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    last_name: str
    username: str | None
    language_code: str | None
    start_param: str | None
    auth_date: datetime


def _secret(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signature(fields: dict[str, str], bot_token: str) -> str:
    return hmac.new(_secret(bot_token), check_string(fields).encode(), hashlib.sha256).hexdigest()


def validate(init_data: str, bot_token: str, now: datetime) -> WebAppUser:
    """The user initData speaks for; InitDataError if it isn't signed with this bot's token,
    is older than 24 h, or isn't initData at all."""
    if not init_data or len(init_data) > MAX_LENGTH:
        raise InitDataError("missing" if not init_data else "too long")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("repeated field")
    received = fields.get("hash", "")
    if not hmac.compare_digest(signature(fields, bot_token), received):
        raise InitDataError("bad hash")
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError, OverflowError):
        raise InitDataError("no user or auth_date") from None
    if now - auth_date > MAX_AGE:
        raise InitDataError("expired")
    if auth_date - now > FUTURE_SLACK:
        raise InitDataError("from the future")
    return WebAppUser(
        id=user_id,
        first_name=str(user.get("first_name", "")),
        last_name=str(user.get("last_name", "")),
        username=user.get("username"),
        language_code=user.get("language_code"),
        start_param=fields.get("start_param"),
        auth_date=auth_date,
    )


def from_header(value: str | None) -> str:
    """initData from `Authorization: tma <initData>`; empty when the header is missing."""
    if not value:
        return ""
    scheme, _, rest = value.strip().partition(" ")
    return rest.strip() if scheme.lower() == SCHEME else ""


def sign(
    user: dict[str, object],
    bot_token: str,
    auth_date: datetime,
    *,
    start_param: str | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    """initData as Telegram would give it to the page (for the tests and the demo's own link)."""
    fields = {
        "auth_date": str(int(auth_date.timestamp())),
        "query_id": "planerka-local",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        **(extra or {}),
    }
    if start_param:
        fields["start_param"] = start_param
    fields["hash"] = signature(fields, bot_token)
    return urlencode(fields)


def page_link(base: str, init_data: str, theme: dict[str, str] | None = None) -> str:
    """The page as Telegram opens it, with initData, version, platform and theme in the hash
    (telegram-web-app.js reads them from there): a link for a browser outside Telegram."""
    fields = {"tgWebAppData": init_data, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "web"}
    if theme:
        fields["tgWebAppThemeParams"] = json.dumps(theme, separators=(",", ":"))
    return base + "#" + "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items())

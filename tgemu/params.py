"""Decoding Bot API request parameters from query, urlencoded, multipart or JSON bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tgemu.errors import bad_request

# Parameters whose values are strings even when they look like JSON numbers.
STRING_FIELDS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "description",
    "short_description",
    "name",
    "language_code",
    "title",
    "file_id",
    "secret_token",
    "inline_message_id",
    "business_connection_id",
    "message_effect_id",
    "action",
    "emoji",
    "query",
    "ip_address",
}


@dataclass
class UploadedFile:
    filename: str | None
    content_type: str | None
    data: bytes


def decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class Params:
    """Typed access to a method's parameters; errors are Telegram's 400s."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile]) -> None:
        self.values = {k: decode_value(k, v) for k, v in values.items()}
        self.files = files

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def require(self, name: str) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        return value

    def get_int(self, name: str, default: int | None = None, *, required: bool = False) -> Any:
        value = self.require(name) if required else self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_str(self, name: str, default: str | None = None, *, required: bool = False) -> Any:
        value = self.require(name) if required else self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def attachment(self, ref: Any, name: str) -> UploadedFile | str:
        """An uploaded file (direct part or attach://x), or a file_id/URL string."""
        if isinstance(ref, str) and ref.startswith("attach://"):
            part = self.files.get(ref[len("attach://") :])
            if part is None:
                raise bad_request(f"wrong remote file identifier specified: {name}")
            return part
        if ref is None and name in self.files:
            return self.files[name]
        if not isinstance(ref, str) or not ref:
            raise bad_request(f"there is no {name} in the request")
        return ref

    def summary(self) -> dict[str, Any]:
        """Values plus uploaded files as {"filename", "size"} for emu.calls."""
        out = dict(self.values)
        for key, part in self.files.items():
            out[key] = {"filename": part.filename, "size": len(part.data)}
        return out


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise bad_request("request body must be a JSON object")
                values.update(data)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
                else:
                    values[key] = value
    return Params(values, files)

"""Files the bot uploaded: kept in memory, downloadable via getFile + /file/bot<token>/<path>."""

from __future__ import annotations

import mimetypes
import struct
from dataclasses import dataclass
from typing import Any


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None

    def file_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.path,
        }


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(self, kind: str, data: bytes, filename: str | None, mime: str | None) -> StoredFile:
        n = len(self._by_id) + 1
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        elif kind == "photos":
            ext = ".jpg"
        if mime in (None, "application/octet-stream") and filename:
            mime = mimetypes.guess_type(filename)[0] or mime
        stored = StoredFile(
            file_id=f"EMU-{kind[:-1]}-{n:06d}",
            file_unique_id=f"EMUU{n:06d}",
            path=f"{kind}/file_{n}{ext}",
            data=data,
            filename=filename,
            mime_type=mime,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = image_size(stored.data)
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": width,
            "height": height,
            "file_size": len(stored.data),
        }
    ]


def document_api(stored: StoredFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.filename:
        data["file_name"] = stored.filename
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG/JPEG/GIF, or a plausible default."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data) or (800, 600)
    return 800, 600


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None

"""sendPhoto, sendDocument, sendMediaGroup and getFile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tgemu.api.common import SendContext, prepare_send, render_caption, take_rate_slot
from tgemu.api.registry import api_method
from tgemu.errors import bad_request
from tgemu.files import StoredFile, document_api, photo_sizes
from tgemu.params import UploadedFile

if TYPE_CHECKING:
    from tgemu.emulator import TelegramEmulator
    from tgemu.params import Params

IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def store_upload(emu: TelegramEmulator, kind: str, ref: UploadedFile | str) -> StoredFile:
    """Keep uploaded bytes; a string must be the file_id of something uploaded before."""
    if isinstance(ref, str):
        stored = emu.files.get(ref)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored
    if not ref.data:
        raise bad_request("file must be non-empty")
    if kind == "photos" and not _is_image(ref.data):
        raise bad_request("IMAGE_PROCESS_FAILED")
    return emu.files.add(kind, ref.data, ref.filename, ref.content_type)


def _media_content(kind: str, stored: StoredFile) -> dict[str, Any]:
    if kind == "photos":
        return {"photo": photo_sizes(stored)}
    return {"document": document_api(stored)}


def _send_one(
    emu: TelegramEmulator,
    ctx: SendContext,
    method: str,
    kind: str,
    stored: StoredFile,
    caption: str | None,
    parse_mode: str | None,
    entities: Any,
    media_group_id: str | None = None,
) -> tuple[dict[str, Any], Any]:
    plain, ents = render_caption(caption, parse_mode, entities)
    msg = emu._message(
        ctx.chat,
        emu.bot_user,
        media_group_id=media_group_id,
        **_media_content(kind, stored),
        caption=plain,
        caption_entities=ents or None,
        reply_markup=ctx.inline_markup if media_group_id is None else None,
        reply_to_message=ctx.reply,
        **ctx.thread_fields,
    )
    fields: dict[str, Any] = {
        "text": caption,
        "plain": plain,
        "parse_mode": parse_mode,
        "reply_to": ctx.reply_to,
        "thread_id": ctx.thread_id,
        "reply_markup": ctx.markup,
        "entities": ents,
        "media_group_id": media_group_id,
    }
    if kind == "photos":
        fields["photos"] = [stored.data]
    else:
        fields["document"] = (stored.filename or "document", stored.data)
    return msg, emu._record_bot_message(ctx.chat, method, msg, **fields)


async def _send_file(emu: TelegramEmulator, p: Params, method: str, field: str) -> Any:
    ctx = prepare_send(emu, p)
    kind = "photos" if field == "photo" else "documents"
    stored = store_upload(emu, kind, p.attachment(p.get(field), field))
    caption, parse_mode = p.get_str("caption"), p.get_str("parse_mode")
    render_caption(caption, parse_mode, p.get_json("caption_entities"))  # validate first
    take_rate_slot(emu, ctx.chat)
    msg, sent = _send_one(
        emu, ctx, method, kind, stored, caption, parse_mode, p.get_json("caption_entities")
    )
    if kind == "photos":
        emu._emit_bot("bot_photo", sent)
    else:
        name = stored.filename or "document"
        emu._emit_bot("bot_document", sent, f"{name} {sent.plain or ''}".strip())
    return msg


@api_method("sendPhoto")
async def send_photo(emu: TelegramEmulator, p: Params) -> Any:
    return await _send_file(emu, p, "sendPhoto", "photo")


@api_method("sendDocument")
async def send_document(emu: TelegramEmulator, p: Params) -> Any:
    return await _send_file(emu, p, "sendDocument", "document")


@api_method("sendMediaGroup")
async def send_media_group(emu: TelegramEmulator, p: Params) -> list[dict[str, Any]]:
    ctx = prepare_send(emu, p)
    media = p.get_json("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("media group must contain 2-10 items")
    types = {item.get("type") for item in media if isinstance(item, dict)}
    if not types <= {"photo", "document"} or len(types) != 1:
        raise bad_request("the emulator supports albums of photos or of documents only")
    kind = "photos" if types == {"photo"} else "documents"
    items = []
    for item in media:
        stored = store_upload(emu, kind, p.attachment(item.get("media"), "media"))
        render_caption(item.get("caption"), item.get("parse_mode"), item.get("caption_entities"))
        items.append((stored, item))
    take_rate_slot(emu, ctx.chat)
    group_id = str(10_000_000_000 + len(emu.sent))
    results, sent_all = [], []
    for stored, item in items:
        msg, sent = _send_one(
            emu,
            ctx,
            "sendMediaGroup",
            kind,
            stored,
            item.get("caption"),
            item.get("parse_mode"),
            item.get("caption_entities"),
            group_id,
        )
        results.append(msg)
        sent_all.append(sent)
    caption = next((s.plain for s in sent_all if s.plain), "")
    emu._emit_bot("bot_album", sent_all[0], f"{len(sent_all)} {kind}. {caption}".strip(" ."))
    return results


@api_method("getFile")
async def get_file(emu: TelegramEmulator, p: Params) -> dict[str, Any]:
    stored = emu.files.get(p.get_str("file_id", required=True))
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.file_api()

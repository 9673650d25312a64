"""Telegram text formatting: HTML/MarkdownV2 parsing into plain text + entities."""

from __future__ import annotations

import re
from typing import Any

from tgemu.errors import ApiError

HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ATTR_RE = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHARREF_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND_RE = re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/])")
_MENTION_RE = re.compile(r"(?<![\w@])@[a-zA-Z0-9_]{4,32}(?!\w)")
_URL_RE = re.compile(r"https?://[^\s<>\"]+")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def unescape_html(text: str) -> str:
    """Unescape the entities Telegram supports (&lt; &gt; &amp; &quot; and numeric ones)."""

    def repl(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref in _NAMED:
            return _NAMED[ref]
        code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        return chr(code) if 0 < code < 0x110000 else m.group(0)

    return _CHARREF_RE.sub(repl, text)


def strip_html(text: str) -> str:
    """Plain text of an HTML message, without validation (for display)."""
    return unescape_html(re.sub(r"<[^<>]*>", "", text))


def _parse_error(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {message}")


def _attrs(raw: str) -> dict[str, str]:
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR_RE.finditer(raw)}


def _html_entity(tag: str, attrs: dict[str, str], offset: int, length: int) -> dict[str, Any]:
    kind = HTML_ENTITY_TYPES[tag]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if tag == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(href.split("=", 1)[1]), "is_bot": False, "first_name": ""}
        else:
            entity["url"] = href
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return entity


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Validate Telegram HTML like the Bot API does; return (plain text, entities)."""
    out: list[str] = []
    out_len = 0  # in UTF-16 code units
    stack: list[tuple[str, dict[str, str], int]] = []
    entities: list[dict[str, Any]] = []
    pos = 0

    def emit(chunk: str) -> None:
        nonlocal out_len
        if chunk:
            plain = unescape_html(chunk)
            out.append(plain)
            out_len += utf16_len(plain)

    while True:
        lt = text.find("<", pos)
        if lt < 0:
            emit(text[pos:])
            break
        emit(text[pos:lt])
        offset = len(text[:lt].encode())
        m = _TAG_RE.match(text, lt)
        if m is None:
            raise _parse_error(f"Unexpected end of name token at byte offset {offset}")
        closing, tag, raw_attrs = m.group(1), m.group(2).lower(), m.group(3) or ""
        if closing:
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {offset}")
            open_tag, attrs, start = stack.pop()
            if open_tag != tag:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{open_tag}>", '
                    f'found "</{tag}>"'
                )
            if out_len > start:
                entities.append(_html_entity(tag, attrs, start, out_len - start))
        else:
            attrs = _attrs(raw_attrs)
            supported = tag in HTML_ENTITY_TYPES and (
                tag != "span" or attrs.get("class") == "tg-spoiler"
            )
            if not supported:
                raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {offset}')
            stack.append((tag, attrs, out_len))
        pos = m.end()
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    _merge_pre_language(entities)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _merge_pre_language(entities: list[dict[str, Any]]) -> None:
    """<pre><code class="language-x"> becomes one pre entity with a language."""
    pres = [e for e in entities if e["type"] == "pre"]
    for pre in pres:
        for code in [e for e in entities if e["type"] == "code"]:
            if (code["offset"], code["length"]) == (pre["offset"], pre["length"]):
                entities.remove(code)
                break


def parse_markdown_v2(text: str) -> str:
    """Plain text of a MarkdownV2 message (markup removed, escapes resolved; no entities)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "*_~|`":
            i += 1
            continue
        out.append(ch)
        i += 1
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", "".join(out))


def render(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode like Telegram: return (plain, entities), trimmed of outer whitespace."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, ents = parse_html(text)
    elif mode == "markdownv2":
        plain, ents = parse_markdown_v2(text), []
    elif mode == "markdown":
        plain, ents = re.sub(r"[*_`]", "", text), []
    elif mode == "":
        plain, ents = text, list(entities or [])
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    return _trim(plain, ents)


def _trim(plain: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    lead = utf16_len(plain) - utf16_len(plain.lstrip())
    stripped = plain.strip()
    total = utf16_len(stripped)
    result = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            result.append({**e, "offset": start, "length": end - start})
    return stripped, result


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's message: bot commands, mentions, URLs."""
    found: list[dict[str, Any]] = []
    for kind, regex in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE)):
        for m in regex.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group(0)),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found

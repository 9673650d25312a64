"""Pure units: Telegram HTML parsing, entity detection, transcript formatting."""

from __future__ import annotations

import io

import pytest

from tgemu import Event, print_event
from tgemu.errors import ApiError
from tgemu.text import detect_entities, parse_html, render, strip_html


def test_html_entities_use_utf16_offsets() -> None:
    plain, entities = parse_html('😀 <b>Итог</b> <a href="https://x.io">ссылка</a> &lt;3')
    assert plain == "😀 Итог ссылка <3"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 8, "length": 6, "url": "https://x.io"},
    ]


def test_html_nesting_pre_and_spoiler() -> None:
    plain, entities = parse_html(
        '<b>a<i>b</i></b><pre><code class="language-python">x=1</code></pre>'
        '<span class="tg-spoiler">s</span>'
    )
    assert plain == "abx=1s"
    assert [e["type"] for e in entities] == ["bold", "italic", "pre", "spoiler"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<span>x</span>", 'Unsupported start tag "span"'),
        ("1 < 2", "Unexpected end of name token at byte offset 2"),
    ],
)
def test_html_errors(text: str, error: str) -> None:
    with pytest.raises(ApiError) as raised:
        parse_html(text)
    assert raised.value.code == 400
    assert raised.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in raised.value.description


def test_render_trims_like_telegram_and_strip_html() -> None:
    assert render("  <b>hi</b>\n", "HTML") == ("hi", [{"type": "bold", "offset": 0, "length": 2}])
    assert render("*bold* \\_x\\_", "MarkdownV2")[0] == "bold _x_"
    assert strip_html("<b>A &amp; B</b>") == "A & B"


def test_detect_entities_in_user_text() -> None:
    found = detect_entities("/plan@planerka_bot для @anna https://ex.com")
    assert [(e["type"], e["offset"], e["length"]) for e in found] == [
        ("bot_command", 0, 18),
        ("mention", 23, 5),
        ("url", 29, 14),
    ]


def test_print_event_transcript_lines() -> None:
    out = io.StringIO()
    print_event(Event("user_message", -1001, "Маркетинг", "Анна", "/setup"), file=out)
    print_event(
        Event(
            "bot_message",
            -1001,
            "Маркетинг",
            "🤖 Планёрка",
            "Выберите неделю\nи метрики",
            [[("Эта", "w:0"), ("Следующая", "w:1")]],
        ),
        file=out,
    )
    print_event(Event("press", 101, "Анна", "Анна", "Эта", is_private=True), file=out)
    assert out.getvalue().splitlines() == [
        "[Маркетинг] Анна: /setup",
        "[Маркетинг] 🤖 Планёрка: Выберите неделю",
        "    и метрики",
        "    [ Эта ] [ Следующая ]",
        "[private: Анна] Анна 👆 [ Эта ]",
    ]

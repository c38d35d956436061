"""The subset of HTML that Telegram's ``parse_mode=HTML`` accepts, and a checker for it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

MAX_MESSAGE_CHARS = 4096

# Tags Telegram accepts, with the attributes each may carry.
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "a": frozenset({"href"}),
    "tg-spoiler": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "span": frozenset({"class"}),
}
_BARE_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self.stack: list[str] = []
        self.text_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed by Telegram")
            return
        for name, value in attrs:
            if name not in ALLOWED_TAGS[tag]:
                self.problems.append(f"attribute {name!r} is not allowed on <{tag}>")
            elif tag == "a" and value:
                self.links.append(value)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close an open tag")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)


def check_html(text: str) -> tuple[list[str], list[str], str]:
    """Problems Telegram would refuse, the links found, and the visible text."""
    checker = _Checker()
    problems: list[str] = []
    if _BARE_AMPERSAND.search(text):
        problems.append("a bare '&' must be written &amp;")
    checker.feed(text)
    checker.close()
    problems.extend(checker.problems)
    if checker.stack:
        problems.append(f"unclosed tags: {', '.join(checker.stack)}")
    visible = "".join(checker.text_parts)
    if not visible.strip():
        problems.append("no visible text")
    if len(visible) > MAX_MESSAGE_CHARS:
        problems.append(f"visible text is {len(visible)} characters, over {MAX_MESSAGE_CHARS}")
    return problems, checker.links, visible


class _Plain(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            label = "".join(self._link_text)
            self.parts.append(
                label
                if self._href.rstrip("/").endswith(label.rstrip("/"))
                else f"{label} ({self._href})"
            )
            self._href = None

    def handle_data(self, data: str) -> None:
        (self._link_text if self._href is not None else self.parts).append(data)


def to_plain(text: str) -> str:
    """A Telegram-HTML message as plain text, links written out (for terminals)."""
    parser = _Plain()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def escape(text: str) -> str:
    """User text made safe to embed in a Telegram-HTML message."""
    return html.escape(text, quote=False)

"""The console transport: the same conversation in a terminal, buttons as numbered choices."""

from __future__ import annotations

import asyncio
from typing import TextIO

from faq.telegram_html import to_plain
from handlers.conversation import Conversation
from handlers.events import Button, Incoming, Response

QUIT = {"/quit", "/exit", "/quitter"}


class ConsoleChat:
    """Reads lines from ``stdin``; a number picks one of the last buttons shown."""

    def __init__(
        self, conversation: Conversation, *, user_id: int, lang: str, stdin: TextIO, stdout: TextIO
    ) -> None:
        self._conversation = conversation
        self._user_id = user_id
        self._lang = lang
        self._stdin = stdin
        self._stdout = stdout
        self._choices: list[Button] = []
        self._interactive = stdin.isatty()

    async def run(self) -> None:
        await self._conversation.tidy()  # a console session is short: retention kept at start
        self._print(
            "Mon espace santé — assistant (console). /quitter pour sortir, /quit to leave.\n"
        )
        await self._send(Incoming(self._user_id, self._user_id, self._lang, text="/start"))
        while True:
            if self._interactive:
                self._stdout.write("> ")
                self._stdout.flush()
            line = await asyncio.to_thread(self._stdin.readline)
            if not line:
                return
            text = line.rstrip("\n")
            if text.strip() in QUIT:
                return
            if not self._interactive:
                self._print(f"> {text}")
            await self._send(self._event_for(text))

    def _event_for(self, text: str) -> Incoming:
        choice = text.strip()
        if choice.isdigit() and 1 <= int(choice) <= len(self._choices):
            button = self._choices[int(choice) - 1]
            if button.data is not None:
                return Incoming(
                    self._user_id, self._user_id, self._lang, callback=button.data.pack()
                )
        return Incoming(self._user_id, self._user_id, self._lang, text=text)

    async def _send(self, event: Incoming) -> None:
        self._show(await self._conversation.handle(event))

    def _show(self, response: Response) -> None:
        if response.notice:
            self._print(f"({response.notice})")
        if not response.replies:
            return
        self._choices = []
        for reply in response.replies:
            if reply.document is not None:  # a file: its name, caption and (text) content
                document = reply.document
                self._print(f"📎 {document.filename} — {to_plain(document.caption)}")
                self._print(document.content.decode("utf-8", "replace"))
            if reply.photo is not None:  # an image: its caption, and that it was sent
                photo = reply.photo
                self._print(to_plain(photo.caption))
                kilobytes = max(1, round(len(photo.content) / 1024))
                self._print(f"🖼 {photo.filename}: an image of {kilobytes} KB was sent")
            if reply.text:
                self._print(to_plain(reply.text))
            for row in reply.buttons:
                for button in row:
                    if button.url is not None:
                        self._print(f"   ↗ {button.label}: {button.url}")
                    elif button.web_app is not None:  # opened inside Telegram only
                        self._print(f"   ↗ {button.label} (Telegram): {button.web_app}")
                    else:
                        self._choices.append(button)
                        self._print(f"  [{len(self._choices)}] {button.label}")
            self._print("")

    def _print(self, text: str) -> None:
        self._stdout.write(text + "\n")
        self._stdout.flush()

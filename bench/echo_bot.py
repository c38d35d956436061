"""The e2e benchmark's baseline: the same transport answering every message with "ok".

No conversation, database, matcher or Sender: what remains is the framework and the server.
Configured like `mesbot run` (MESBOT_TOKEN, MESBOT_API_BASE, MESBOT_FRAMEWORK).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings
from bot.dispatch import InboundUpdate
from bot.runner import check_settings, make_transport
from bot.webhook import make_app, serve, webhook_path


async def main() -> None:
    settings = Settings()
    transport = make_transport(settings, check_settings(settings))
    await transport.start()

    async def echo(update: InboundUpdate) -> None:
        await transport.api.send_message(update.event.chat_id, "ok", ())

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    if settings.webhook_url and settings.webhook_secret:
        secret = settings.webhook_secret.get_secret_value()
        app = make_app(transport, echo, path=webhook_path(settings.webhook_url), secret=secret)
        runner = await serve(app, settings.listen)
        await transport.set_webhook(settings.webhook_url, secret)
        await stop.wait()
        await runner.cleanup()
    else:
        await transport.delete_webhook()
        await transport.start_polling(echo)
        await stop.wait()
    await transport.close()


if __name__ == "__main__":
    # The same event loop as `mesbot run`, so that only the conversation differs.
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())

"""Build the Telegram Application (wiring only) and run it: long polling or a webhook."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.telegram import handlers

log = logging.getLogger(__name__)

EXIT_CONFIG = 2  # missing / malformed / rejected token, bad settings
EXIT_UNAVAILABLE = 3  # the Bot API cannot be reached
# "<bot id>:<35 characters>" as @BotFather hands it out (lengths with some slack)
TOKEN_RE = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,64}$")
# Only these reach the bot: edited messages, channel posts etc. are not even fetched.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class ConfigError(Exception):
    """A setting that makes running impossible; the message is one line for the user."""


def allowed_chats(value: str | None) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in (value or "").replace(";", ",").split(",") if part.strip())
    except ValueError:
        raise ConfigError("TELEGRAM_ALLOWED_CHATS must be comma-separated chat ids, e.g. 12345,-100987654321") from None


def check_settings(settings) -> str:
    """Validate the Telegram settings before anything slow is loaded; returns the token."""
    token = (settings.telegram_bot_token or "").strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in the environment or .env.")
    if not TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token (expected <digits>:<about 35 letters, digits, _ or ->).")
    if urlsplit(settings.telegram_api_url).scheme not in ("http", "https"):
        raise ConfigError(f"TELEGRAM_API_URL must be an http(s) URL, not {settings.telegram_api_url!r}.")
    allowed_chats(settings.telegram_allowed_chats)
    if settings.telegram_webhook_url:
        if urlsplit(settings.telegram_webhook_url).scheme not in ("http", "https"):
            raise ConfigError("TELEGRAM_WEBHOOK_URL must be the public https URL Telegram should post updates to.")
        try:
            import tornado  # noqa: F401 - PTB's webhook server
        except ImportError:
            raise ConfigError('Webhook mode needs the webhooks extra: pip install "python-telegram-bot[webhooks]".') from None
    return token


class Redact(logging.Filter):
    """Replaces secrets (the bot token, its secret half, the webhook secret) with *** in
    every record a handler emits, tracebacks included."""

    def __init__(self) -> None:
        super().__init__("citebot-redact")
        self.secrets: set[str] = set()

    def add(self, *secrets: str | None) -> None:
        self.secrets.update(s for s in secrets if s and len(s) >= 8)

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is the logging module's business
            return True
        clean = self(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if self(text) != text:
                record.exc_text = self(text)
        if record.exc_text:
            record.exc_text = self(record.exc_text)
        if record.stack_info:
            record.stack_info = self(record.stack_info)
        return True


redact = Redact()


def protect_secrets(token: str, *others: str | None) -> None:
    """Keep secrets out of the logs: the filter on every root handler, HTTP client logs
    (which print request URLs, token included) at WARNING."""
    redact.add(token, token.partition(":")[2], *others)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addFilter(redact)
    for handler in root.handlers:
        handler.addFilter(redact)


async def post_init(application: Application) -> None:
    """The command menu (Telegram keeps it; failing to set it is not fatal)."""
    try:
        await application.bot.set_my_commands(handlers.commands())
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    log.info("running as @%s", application.bot.username)


def build_application(settings, answerer) -> Application:
    """The Application for these settings, answering with `answerer`. Not started."""
    token = check_settings(settings)
    protect_secrets(token, settings.telegram_webhook_secret)
    api = settings.telegram_api_url.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .rate_limiter(AIORateLimiter())
        .concurrent_updates(True)  # one slow answer never holds up other chats
        .post_init(post_init)
        .build()
    )
    application.bot_data[handlers.ANSWERER] = answerer
    application.bot_data[handlers.ALLOWED_CHATS] = allowed_chats(settings.telegram_allowed_chats)
    handlers.register(application)
    return application


def _say(text: str) -> None:
    print(redact(text), file=sys.stderr, flush=True)


def run(settings, answerer, say=_say) -> int:
    """Run until SIGINT/SIGTERM. Returns the exit code."""
    application = build_application(settings, answerer)
    webhook = settings.telegram_webhook_url
    mode = f"webhook {webhook}" if webhook else "long polling"

    async def ready(app: Application) -> None:
        await post_init(app)
        say(f"citebot is on Telegram as @{app.bot.username} ({mode}). Ctrl-C to stop.")

    application.post_init = ready

    async def preflight() -> None:
        async with application.bot:  # getMe: the token works and the API answers
            pass

    try:
        asyncio.run(preflight())
        asyncio.set_event_loop(asyncio.new_event_loop())
        if webhook:
            application.run_webhook(
                listen=settings.telegram_webhook_listen,
                port=settings.telegram_webhook_port,
                url_path=urlsplit(webhook).path.lstrip("/"),
                webhook_url=webhook,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        say("Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized): check the token from @BotFather.")
        return EXIT_CONFIG
    except NetworkError as exc:
        say(f"Cannot reach the Telegram Bot API at {settings.telegram_api_url}: {redact(str(exc))}")
        return EXIT_UNAVAILABLE
    except TelegramError as exc:
        say(f"Telegram error: {redact(str(exc))}")
        return EXIT_UNAVAILABLE
    except KeyboardInterrupt:  # Ctrl-C before the stop signals are wired (during the getMe check)
        return 130
    finally:
        asyncio.set_event_loop(None)  # run_polling / run_webhook closed theirs
    say("citebot stopped.")
    return 0

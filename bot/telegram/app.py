"""Build the Telegram Application (wiring only) and run it: long polling or a webhook."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import re
import sys
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from urllib.parse import urlsplit

import telegram
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

import prompts
from bot.conversation import ConversationStore
from bot.telegram import access, handlers
from bot.telegram.delivery import MAX_RETRIES, RETRY_DELAYS, RateLimiter

log = logging.getLogger(__name__)

EXIT_CONFIG = 2  # missing / malformed / rejected token, bad settings
EXIT_UNAVAILABLE = 3  # the Bot API cannot be reached
# "<bot id>:<35 characters>" as @BotFather hands it out (lengths with some slack)
TOKEN_RE = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,64}$")
# Only these reach the bot: edited messages, channel posts etc. are not even fetched.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# Answers are CPU-bound (mostly Python, so the GIL): more threads than cores only make each
# answer slower and starve the event loop; questions beyond these wait in line (FIFO).
ANSWER_THREADS = max(1, os.cpu_count() or 1)
# In generative mode most of an answer is waiting for the LLM, not computing: threads per core
# then, so a slow LLM holds up that many chats at once instead of every chat behind two
GENERATIVE_THREADS_PER_CORE = 4
# While the Bot API cannot be reached at start, getMe is tried again after 1 s, doubling up to 30 s
# (as a Chroma server is waited for, up to CHROMA_RETRY_MAX_SECONDS): (first pause, longest pause)
API_BACKOFF = (1.0, 30.0)


class UpdatesRequest(HTTPXRequest):
    """The getUpdates connection, with every update this python-telegram-bot cannot read (a
    self-hosted Bot API server older than it, a field it newly requires) replaced by an empty
    update of the same id before PTB parses them. PTB parses a batch as a whole: one update it
    cannot read failed every getUpdates, so the offset never moved past it, and the bot asked
    for the same batch again at once, answering no chat and logging the whole update (the
    user's text) each time. An empty update matches no handler; the next offset is past it."""

    async def post(self, url: str, request_data=None, *args, **kwargs):
        result = await super().post(url, request_data, *args, **kwargs)
        if url.endswith("/getUpdates") and isinstance(result, list):
            result = [_readable(u) for u in result]
        return result


def _readable(data):
    """The update as received, or {"update_id": its id} when PTB cannot read it (logged once,
    by id and error only: the update holds the user's message)."""
    try:
        Update.de_json(data, None)
        return data
    except Exception as exc:  # noqa: BLE001 - whatever PTB's parsing raises
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int):
            raise  # no id to skip it by: PTB's own handling
        log.warning("skipped update %d: python-telegram-bot cannot read it (%s)", update_id, type(exc).__name__)
        return {"update_id": update_id}


class ConfigError(Exception):
    """A setting that makes running impossible; the message is one line for the user."""


def _webhook_update(body: bytes) -> dict | None:
    """The update a webhook POST carries, or None when its body is not a JSON object with an
    integer update_id (not UTF-8, not JSON, a list, null…): nothing Telegram sends."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors; nesting too deep
        return None
    return data if isinstance(data, dict) and isinstance(data.get("update_id"), int) else None


class CheckedWebhookPost:
    """What a webhook POST gets before python-telegram-bot's handler (TelegramHandler) reads it
    (mixed into that handler by use_checked_webhooks).

    PTB answered a body that is not JSON with 500 (its traceback logged at debug level only),
    and an update it cannot read — the webhook twin of UpdatesRequest's case — with 400 and a
    CRITICAL record with the whole update (the user's text) and a traceback. Telegram resends
    an update until it gets a 2xx, so that one update came back again and again. Now: PTB's own
    checks first (content type, secret token: 403); a body that is no update gets 400 and one
    warning line without the body; an update PTB cannot read is acknowledged (200) and skipped,
    logged once by its id; the rest is PTB's as before."""

    async def post(self) -> None:
        self._validate_post()
        body = self.request.body
        data = _webhook_update(body)
        if data is None:
            log.warning("webhook: answered 400 to a POST from %s that is not a Telegram update (%d bytes, not a JSON "
                        "object with an update_id)", self.request.remote_ip, len(body))
            self.send_error(HTTPStatus.BAD_REQUEST, reason="Not a Telegram update")
            return
        if _readable(data) is not data:  # logged by id; the empty 200 tells Telegram not to send it again
            return
        await super().post()


def use_checked_webhooks() -> None:
    """Put CheckedWebhookPost in front of python-telegram-bot's webhook handler. PTB offers no
    seam for it: its Updater builds WebhookAppClass, which routes the webhook path to the
    module's TelegramHandler by name; so that one module attribute is replaced by a subclass
    (for the whole process, once)."""
    ptb = _ptb_webhooks()
    if issubclass(ptb.TelegramHandler, CheckedWebhookPost):
        return

    class CheckedTelegramHandler(CheckedWebhookPost, ptb.TelegramHandler):
        """PTB's webhook handler, checking each POST first (CheckedWebhookPost)."""

    ptb.TelegramHandler = CheckedTelegramHandler


def _ptb_webhooks():
    """PTB's webhook module, when it is still what use_checked_webhooks replaces a part of;
    else ConfigError, so that a PTB upgrade that changed it stops `citebot telegram --webhook`
    at start instead of silently answering unreadable updates with 400 again."""
    try:
        from telegram.ext._utils import webhookhandler as ptb
    except ImportError:
        ptb = None
    handler = getattr(ptb, "TelegramHandler", None)
    if isinstance(handler, type) and issubclass(handler, CheckedWebhookPost):
        return ptb  # checked and replaced before
    init = getattr(getattr(ptb, "WebhookAppClass", None), "__init__", None)
    if not (
        isinstance(handler, type) and "post" in vars(handler) and callable(getattr(handler, "_validate_post", None))
        and "TelegramHandler" in getattr(getattr(init, "__code__", None), "co_names", ())  # routes to it by name
    ):
        raise ConfigError(
            f"Webhook mode does not support python-telegram-bot {telegram.__version__} (its webhook handler has changed): "
            "install the version in requirements.lock, or run without --webhook (long polling)."
        )
    return ptb


def _ids(value: str | None, name: str, example: str) -> frozenset[int]:
    try:
        return access.parse_ids(value)
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated {example}") from None


def allowed_chats(value: str | None, name: str = "TELEGRAM_ALLOWED_CHATS") -> frozenset[int]:
    return _ids(value, name, "chat ids, e.g. 12345,-100987654321")


def access_policy(settings) -> access.Policy:
    """ALLOWED_USER_IDS and ALLOWED_CHAT_IDS (TELEGRAM_ALLOWED_CHATS is an alias of the
    latter; when both are set, the chats of both are allowed)."""
    users = _ids(settings.allowed_user_ids, "ALLOWED_USER_IDS", "user ids, e.g. 12345,67890")
    chats = allowed_chats(settings.allowed_chat_ids, "ALLOWED_CHAT_IDS") | allowed_chats(settings.telegram_allowed_chats)
    return access.Policy(users, chats)


def check_settings(settings) -> str:
    """Validate the Telegram settings before anything slow is loaded; returns the token."""
    token = (settings.telegram_bot_token or "").strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in the environment or .env.")
    if not TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token (expected <digits>:<about 35 letters, digits, _ or ->).")
    if urlsplit(settings.telegram_api_url).scheme not in ("http", "https"):
        raise ConfigError(f"TELEGRAM_API_URL must be an http(s) URL, not {settings.telegram_api_url!r}.")
    access_policy(settings)
    if settings.telegram_rate_limit_per_minute < 0:
        raise ConfigError("TELEGRAM_RATE_LIMIT_PER_MINUTE must be 0 (no limit) or more.")
    if settings.telegram_webhook_url:
        if urlsplit(settings.telegram_webhook_url).scheme not in ("http", "https"):
            raise ConfigError("TELEGRAM_WEBHOOK_URL must be the public https URL Telegram should post updates to.")
        try:
            import tornado  # noqa: F401 - PTB's webhook server
        except ImportError:
            raise ConfigError('Webhook mode needs the webhooks extra: pip install "python-telegram-bot[webhooks]".') from None
        use_checked_webhooks()  # ConfigError on a python-telegram-bot it does not fit
    return token


class HideUserText(logging.Filter):
    """python-telegram-bot's debug records carry whole updates (the users' messages) and
    API results (which quote the message replied to). Unless LOG_QUESTIONS=true their
    contents are replaced, so no question text reaches the logs even at -vv."""

    HIDDEN = "(hidden: LOG_QUESTIONS=false)"
    TEMPLATES = {  # message template -> index of the argument to hide
        "Processing update %s": 0,
        "Call to Bot API endpoint `%s` finished with return value `%s`": 1,
        "Webhook received data: %s": 0,
        "Dropping pending update: %s": 0,
        # what PTB logs (CRITICAL, at every level) when it cannot read an update
        "Error while parsing updates! Received data was %r": 0,
        "Something went wrong processing the data received from Telegram. "
        "Received data was *not* processed! Received data was: %r": 0,
    }

    def __init__(self) -> None:
        super().__init__("citebot-hide-user-text")
        self.enabled = True

    def filter(self, record: logging.LogRecord) -> bool:
        if self.enabled and isinstance(record.msg, str) and record.args and record.name.startswith("telegram"):
            index = self.TEMPLATES.get(record.msg)
            if index is not None and isinstance(record.args, tuple) and len(record.args) > index:
                args = list(record.args)
                args[index] = self.HIDDEN
                record.args = tuple(args)
        return True


hide_user_text = HideUserText()


class GivenUpFloodControl(logging.Filter):
    """AIORateLimiter's own traceback for flood control that outlasted its retries: the answer
    is logged once as "not delivered: …" with its chat id (delivery.RateLimiter)."""

    TEMPLATE = "Rate limit hit after maximum of %d retries"

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != self.TEMPLATE


given_up_flood_control = GivenUpFloodControl()


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


def _redact_at_creation() -> None:
    """Redact every log record when it is created, so that handlers added later or on
    other loggers (an operator's own logging setup) never see a secret either."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "citebot_redacts", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if redact.secrets:
            redact.filter(record)
        return record

    factory.citebot_redacts = True
    logging.setLogRecordFactory(factory)


_SECRET_NAME = re.compile(r"(?:^|_)(?:api_?key|key|token|secret|password|passwd)$", re.IGNORECASE)


def secret_values(settings, environ=None) -> list[str]:
    """Values to keep out of logs: every setting named like *_token / *_secret / *_key /
    *_password, and environment variables named that way (OPENAI_API_KEY, GH_TOKEN, …):
    an API key in the environment can end up in a library's error message."""
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        if _SECRET_NAME.search(name) and isinstance(value, str):
            values.append(value)
    for name, value in (os.environ if environ is None else environ).items():
        if _SECRET_NAME.search(name):
            values.append(value)
    return [v for v in values if v and len(v.strip()) >= 8]


def protect_secrets(token: str, *others: str | None, log_questions: bool = False) -> None:
    """Keep secrets (and, unless LOG_QUESTIONS, the users' messages) out of the logs: the
    filters on every root handler, HTTP client logs (which print request URLs, token
    included) at WARNING."""
    redact.add(token, token.partition(":")[2], *others)
    _redact_at_creation()
    hide_user_text.enabled = not log_questions
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    for flt in (hide_user_text, redact):  # hide first: redaction then sees the final text
        root.addFilter(flt)
        for handler in root.handlers:
            handler.addFilter(flt)


async def post_init(application: Application) -> None:
    """The command menu (Telegram keeps it; failing to set it is not fatal)."""
    try:
        await application.bot.set_my_commands(handlers.commands())
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", exc)
    log.info("running as @%s", application.bot.username)


def build_application(
    settings, answerer, clock=time.monotonic, answer_threads: int | None = None,
    retry_delays: tuple[float, ...] = RETRY_DELAYS, read_timeout: float | None = None,
) -> Application:
    """The Application for these settings, answering with `answerer`. Not started.
    `clock` (seconds, monotonic) drives the per-user rate limit's sliding window;
    `answer_threads` (default ANSWER_THREADS) is how many answers are computed at once;
    `retry_delays` are the pauses before resending a request Telegram did not carry out;
    `read_timeout` (default PTB's 5 s) is how long an answer from Telegram is waited for."""
    token = check_settings(settings)
    protect_secrets(token, *secret_values(settings), log_questions=settings.log_questions)
    logging.getLogger("telegram.ext.AIORateLimiter").addFilter(given_up_flood_control)  # once: filters are a set
    api = settings.telegram_api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .rate_limiter(RateLimiter(MAX_RETRIES, retry_delays))
        .get_updates_request(UpdatesRequest(connection_pool_size=1))
        .concurrent_updates(True)  # one slow answer never holds up other chats
        .post_init(post_init)
    )
    if read_timeout is not None:
        builder = builder.read_timeout(read_timeout)
    application = builder.build()
    application.bot_data[handlers.ANSWERER] = answerer
    application.bot_data[handlers.CONVERSATIONS] = ConversationStore(
        answerer, settings.conversation_max_turns, settings.conversation_idle_minutes * 60, clock=clock
    )
    if answer_threads is None:
        answer_threads = ANSWER_THREADS * (GENERATIVE_THREADS_PER_CORE if settings.answer_mode == "generative" else 1)
    pool = ThreadPoolExecutor(answer_threads, thread_name_prefix="citebot-answer")
    application.bot_data[handlers.ANSWER_POOL] = pool
    application.post_shutdown = lambda app: _shutdown_pool(pool)  # run_polling / run_webhook
    weakref.finalize(application, pool.shutdown, wait=False)  # an Application used without them
    application.bot_data[handlers.POLICY] = access_policy(settings)
    application.bot_data[handlers.RATE_LIMITER] = access.RateLimiter(settings.telegram_rate_limit_per_minute, 60.0, clock)
    application.bot_data[handlers.LOG_QUESTIONS] = settings.log_questions
    handlers.register(application)
    return application


async def _shutdown_pool(pool: ThreadPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)


def listen_problem(host: str, port: int) -> str | None:
    """Why the webhook server could not listen on host:port (one line), or None. Checked before
    anything is sent to Telegram: a second worker started on a port in use used to call
    setWebhook with its own URL and secret, then crash, leaving Telegram posting to the running
    worker with a secret it rejects."""
    if not 0 < port < 65536:
        return f"--port {port} is not a TCP port (1-65535)."
    from tornado.netutil import bind_sockets  # what PTB's webhook server binds with, so the same answer

    try:
        sockets = bind_sockets(port, address=host or None)
    except OSError as exc:
        hint = "; is another worker listening there?" if exc.errno == errno.EADDRINUSE else ""
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return f"Cannot listen for the webhook on {where}: {exc.strerror or exc}{hint}"
    for sock in sockets:
        sock.close()
    return None  # (PTB binds again after setWebhook: a worker started in between can still win)


def webhook_options(settings) -> dict:
    """The arguments of run_webhook (and Updater.start_webhook) for these settings."""
    return {
        "listen": settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": urlsplit(settings.telegram_webhook_url).path.lstrip("/"),
        "webhook_url": settings.telegram_webhook_url,
        "secret_token": settings.telegram_webhook_secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def _say(text: str) -> None:
    print(redact(text), file=sys.stderr, flush=True)


async def _get_me(bot, api_url: str) -> None:
    """getMe: the token works and the API answers (TelegramError), and it is a Bot API
    server (ConfigError)."""
    try:
        async with bot:
            pass
    except TelegramError:
        raise
    except Exception as exc:  # noqa: BLE001 - PTB reading an answer that is not the Bot API's
        raise ConfigError(
            f"TELEGRAM_API_URL {api_url} did not answer getMe like a Telegram Bot API server "
            f"({type(exc).__name__}: {exc}); it must be the API's root, e.g. https://api.telegram.org"
        ) from None


def _passing(error: TelegramError) -> bool:
    """Whether getMe may work when tried again: no connection, a timeout, a server error
    (NetworkError) or flood control. Not a rejected token (InvalidToken: 401, 404), a 400
    or another answer that trying again cannot change."""
    return isinstance(error, RetryAfter) or (isinstance(error, NetworkError) and not isinstance(error, BadRequest))


async def _wait_for_api(settings, token: str, say, backoff: tuple[float, float]) -> None:
    """getMe until it works, pausing after each failure that may pass (backoff[0], doubling up
    to backoff[1]; a 429's retry_after if longer) with one line each; any other failure raises."""
    api = settings.telegram_api_url.rstrip("/")
    bot = telegram.Bot(token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot")  # no retries of its own
    (delay, max_delay), attempt = backoff, 1
    while True:
        try:
            await _get_me(bot, settings.telegram_api_url)
            return
        except TelegramError as exc:
            if not _passing(exc):
                raise
            pause = max(delay, exc._retry_after.total_seconds()) if isinstance(exc, RetryAfter) else delay  # as AIORateLimiter reads it
            say(f"Cannot reach the Telegram Bot API at {settings.telegram_api_url} (attempt {attempt}): {exc}. "
                f"Retrying in {pause:g} s (Ctrl-C to stop)…")
        await asyncio.sleep(pause)
        delay, attempt = min(delay * 2, max_delay), attempt + 1


def _failed(exc: Exception, settings, say) -> int:
    """The one line for a start that cannot go on (said); returns the exit code."""
    if isinstance(exc, InvalidToken):
        if "not found" in str(exc.__cause__ or exc).lower():  # 404: the token has the right form, so the URL is the likelier fault
            say(f"TELEGRAM_API_URL {settings.telegram_api_url} answered getMe with 404 Not Found: it must be the Bot API's "
                "root (e.g. https://api.telegram.org, without /bot…); or the token from @BotFather is wrong.")
        else:
            say("Telegram rejected TELEGRAM_BOT_TOKEN (unauthorized): check the token from @BotFather.")
        return EXIT_CONFIG
    if isinstance(exc, ConfigError):
        say(str(exc))
        return EXIT_CONFIG
    if isinstance(exc, NetworkError):
        say(f"Cannot reach the Telegram Bot API at {settings.telegram_api_url}: {redact(str(exc))}")
        return EXIT_UNAVAILABLE
    say(f"Telegram error: {redact(str(exc))}")
    return EXIT_UNAVAILABLE


def check_api(settings, say=_say, backoff: tuple[float, float] = API_BACKOFF) -> int | None:
    """Settings, webhook port and token checked against the Bot API (getMe) before anything
    slow loads, so that `citebot telegram` fails at once — not after the index and model
    (seconds, minutes at 100k chunks), reloaded on every restart — when the token is missing,
    malformed or rejected or TELEGRAM_API_URL is wrong (exit 2). A Bot API that cannot be
    reached (no network yet, Telegram or a self-hosted server restarting) is waited for,
    trying again with capped backoff and one line per attempt, as a Chroma server is at
    start. None when the bot can start; else the exit code, its one line said (130 on Ctrl-C)."""
    try:
        token = check_settings(settings)
        protect_secrets(token, *secret_values(settings), log_questions=settings.log_questions)  # before any request
        if settings.telegram_webhook_url:
            problem = listen_problem(settings.telegram_webhook_listen, settings.telegram_webhook_port)
            if problem:
                raise ConfigError(problem)
        asyncio.run(_wait_for_api(settings, token, say, backoff))
    except (TelegramError, ConfigError) as exc:
        return _failed(exc, settings, say)
    except KeyboardInterrupt:
        say(prompts.render("interrupted"))
        return 130
    return None


def run(settings, answerer, say=_say, wait: bool = False, backoff: tuple[float, float] = API_BACKOFF) -> int:
    """Run until SIGINT/SIGTERM. Returns the exit code. wait=True: a Bot API that cannot be
    reached at start (it went away while the index loaded) is waited for as check_api does,
    instead of exit code 3."""
    application = build_application(settings, answerer)
    webhook = settings.telegram_webhook_url
    mode = f"webhook {webhook}" if webhook else "long polling"

    async def ready(app: Application) -> None:
        await post_init(app)
        say(f"citebot is on Telegram as @{app.bot.username} ({mode}). Ctrl-C to stop.")

    application.post_init = ready

    async def preflight() -> None:
        if wait:  # it may have gone away while the index loaded
            await _wait_for_api(settings, application.bot.token, say, backoff)
        else:
            await _get_me(application.bot, settings.telegram_api_url)  # through the RateLimiter: a few retries

    if webhook:
        problem = listen_problem(settings.telegram_webhook_listen, settings.telegram_webhook_port)
        if problem:  # said before setWebhook points Telegram at this worker's URL and secret
            say(problem)
            return EXIT_CONFIG
        if not settings.telegram_webhook_secret:
            say("Warning: no --secret (TELEGRAM_WEBHOOK_SECRET): anyone who learns the webhook URL can post updates to it.")
    try:
        asyncio.run(preflight())
        asyncio.set_event_loop(asyncio.new_event_loop())
        if webhook:
            application.run_webhook(**webhook_options(settings))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except (TelegramError, ConfigError) as exc:
        return _failed(exc, settings, say)
    except KeyboardInterrupt:  # Ctrl-C before the stop signals are wired (during the getMe check)
        return 130
    finally:
        asyncio.set_event_loop(None)  # run_polling / run_webhook closed theirs
    say("citebot stopped.")
    return 0

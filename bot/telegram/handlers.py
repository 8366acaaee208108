"""Telegram update handlers: small async functions; the answering itself is the Answerer's.

Private chats: every text message is a question. Groups: only messages that mention the
bot, reply to one of its messages, or use /ask. Edited messages, channel posts and
service messages are ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
import weakref
from collections import OrderedDict

from telegram import BotCommand, LinkPreviewOptions, Message, MessageEntity, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

import prompts
from bot.telegram import access, keyboards, render
from bot.telegram.delivery import NotDelivered

log = logging.getLogger(__name__)
# One record per question (key=value pairs in the message, the same fields as `extra`);
# the question text only with LOG_QUESTIONS=true.
question_log = logging.getLogger("citebot.telegram.questions")

ANSWERER = "answerer"  # bot_data keys
CONVERSATIONS = "conversations"  # bot.conversation.ConversationStore: follow-ups in context
POLICY = "access_policy"  # access.Policy (ALLOWED_USER_IDS / ALLOWED_CHAT_IDS)
RATE_LIMITER = "rate_limiter"  # access.RateLimiter (TELEGRAM_RATE_LIMIT_PER_MINUTE)
LOG_QUESTIONS = "log_questions"
ANSWER_POOL = "answer_pool"  # the worker threads the Answerer runs in (None: asyncio's default)
_LOCKS = "chat_locks"
_REFUSED_CHATS = "refused_chats"  # private chats already told they are not allowed
MAX_REMEMBERED = 100_000  # refused chats remembered (oldest forgotten first)
SEEN_UPDATES_KEPT = 10_000  # update ids remembered to drop a repeated one (drop_repeats)
ANSWERS_KEPT = 2_000  # group answers whose exchange a reply to them continues (answer_question)
TYPING_EVERY = 4.5  # seconds; Telegram shows "typing…" for about 5 s

# Only new messages: edited messages, channel posts and the like are not questions.
NEW = filters.UpdateType.MESSAGE
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # article urls would fill the chat with previews


def commands() -> list[BotCommand]:
    """The command menu, from prompts/telegram_commands.txt ("name - description" lines)."""
    out = []
    for line in prompts.load("telegram_commands").splitlines():
        name, _, description = line.partition(" - ")
        if name.strip():
            out.append(BotCommand(name.strip(), description.strip()))
    return out


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, drop_repeats), group=-2)
    app.add_handler(TypeHandler(Update, allowlist), group=-1)
    app.add_handler(CommandHandler("start", start, filters=NEW))
    app.add_handler(CommandHandler("help", help_command, filters=NEW))
    app.add_handler(CommandHandler("about", about, filters=NEW))
    app.add_handler(CommandHandler("sources", sources, filters=NEW))
    app.add_handler(CommandHandler("ask", ask, filters=NEW))
    app.add_handler(CommandHandler("reset", reset, filters=NEW))
    app.add_handler(MessageHandler(NEW & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(NEW & filters.TEXT, text_message))
    app.add_handler(MessageHandler(NEW & ~filters.TEXT & ~filters.StatusUpdate.ALL, non_text))
    app.add_handler(CallbackQueryHandler(show_excerpt, pattern=r"^x:"))
    app.add_handler(CallbackQueryHandler(show_sources, pattern=r"^s(:|$)"))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_error_handler(on_error)


# --- helpers ---------------------------------------------------------------------------
def _remember(store: OrderedDict, key, value, limit: int) -> None:
    """store[key] = value, the oldest entries forgotten beyond `limit`."""
    store[key] = value
    while len(store) > limit:
        store.popitem(last=False)


def _answerer(context: ContextTypes.DEFAULT_TYPE):
    return context.bot_data[ANSWERER]


def conversation_key(update: Update):
    """One history per private chat; per user within a group (people talk over each other)."""
    chat_id = update.effective_chat.id
    if _private(update):
        return chat_id
    who = access.sender(update)
    return (chat_id, who.id if who.id is not None else chat_id)


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def _username(context: ContextTypes.DEFAULT_TYPE) -> str:
    return context.bot.username or ""


def topic(update: object) -> int | None:
    """The forum topic everything said in answer to `update` goes to: its message's topic (for
    a button, the topic of the message the button is on); None in a chat without topics and in
    a forum's General topic. Only a reply lands in its message's topic by itself: parts 2+ of a
    long answer, the sources list, "typing…" and the error note would go to General."""
    if not isinstance(update, Update):
        return None
    message = update.callback_query.message if update.callback_query else update.message
    if isinstance(message, Message) and message.is_topic_message:  # not an InaccessibleMessage
        return message.message_thread_id
    return None


async def send_html(
    bot, chat_id: int, messages: list[str], reply_to: int | None = None, markup=None, thread: int | None = None,
) -> list[Message]:
    """Send HTML messages in order (the keyboard under the last one, the first one as a
    reply in groups), all of them to forum topic `thread` (see topic); a message Telegram
    cannot parse is sent again as plain text."""
    sent = []
    for i, text in enumerate(messages):
        kwargs = {"disable_notification": i > 0, "link_preview_options": NO_PREVIEW, "message_thread_id": thread}
        if i == 0 and reply_to is not None:
            kwargs["reply_parameters"] = ReplyParameters(reply_to, allow_sending_without_reply=True)
        if i == len(messages) - 1:
            kwargs["reply_markup"] = markup
        try:
            sent.append(await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, **kwargs))
        except BadRequest as exc:
            if "parse entities" not in exc.message.lower():
                raise
            log.warning("chat %s: Telegram rejected the formatting (%s); sending plain text", chat_id, exc.message)
            sent.append(await bot.send_message(chat_id, render.to_plain(text), parse_mode=None, **kwargs))
    return sent


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, messages: list[str], markup=None) -> list[Message]:
    """Answer the update's message: a plain message in private chats, a reply in groups."""
    message = update.effective_message
    reply_to = None if _private(update) or message is None else message.message_id
    return await send_html(context.bot, update.effective_chat.id, messages, reply_to, markup, topic(update))


async def _keep_typing(bot, chat_id: int, thread: int | None) -> None:
    while True:
        await asyncio.sleep(TYPING_EVERY)
        with contextlib.suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread)


def _chat_lock(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> asyncio.Lock:
    """One answer at a time per chat (answers keep the order of the questions);
    other chats are not held up."""
    locks = context.bot_data.setdefault(_LOCKS, weakref.WeakValueDictionary())
    lock = locks.get(chat_id)
    if lock is None:
        lock = locks[chat_id] = asyncio.Lock()
    return lock


async def _typing_once(bot, chat_id: int, thread: int | None) -> None:
    """The first "typing…" (in forum topic `thread`, where the answer goes); a failure other
    than being blocked does not hold up the answer."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread)
    except Forbidden:
        raise
    except TelegramError as exc:
        log.debug("chat %s: typing action failed: %s", chat_id, exc)


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()  # no "exception was never retrieved" warning


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return text if re.fullmatch(r"[\w.:/-]+", text) else json.dumps(text, ensure_ascii=False)


def log_question(context, update: Update, question: str, started: float, answer=None, reason: str | None = None) -> None:
    """The per-question record: chat_id, user_id, latency_ms (handler start → answer sent),
    answer_ms (the Answerer's own time), refused, reason, citations, mode; plus the
    question text only with LOG_QUESTIONS=true."""
    who = access.sender(update)
    fields = {
        "chat_id": update.effective_chat.id if update.effective_chat else None,
        "user_id": who.user_id,
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "answer_ms": answer.latency_ms if answer is not None else None,
        "refused": answer.refused if answer is not None and reason is None else True,
        "reason": reason or (answer.reason if answer is not None else None),
        "citations": len(answer.citations) if answer is not None else 0,
        "mode": answer.mode if answer is not None else None,
    }
    if who.as_chat:
        fields["sender_chat_id"] = who.id
    if context.bot_data.get(LOG_QUESTIONS):
        fields["question"] = question
    question_log.info("question " + " ".join(f"{k}={_value(v)}" for k, v in fields.items()), extra=fields)


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Rate limit, then typing… while the Answerer runs in a worker thread (the event
    loop stays free), then the answer as HTML with its citation keyboard. One log record."""
    started = time.perf_counter()
    chat_id = update.effective_chat.id
    answerer = _answerer(context)
    limiter: access.RateLimiter | None = context.bot_data.get(RATE_LIMITER)
    who = access.sender(update)
    verdict = limiter.hit(who.id if who.id is not None else chat_id) if limiter else access.Verdict(True)
    lock = _chat_lock(context, chat_id)
    answer, reason = None, None
    try:
        async with lock:  # also for the slow-down note: it comes after the answers before it
            if not verdict.allowed:
                reason = "rate_limited"
                if verdict.notify:
                    await reply(update, context, render.render_prompt("telegram_slow_down", limit=limiter.limit, seconds=verdict.seconds))
                return
            # "typing…" goes out while the answer is computed, never after the answer
            first = asyncio.create_task(_typing_once(context.bot, chat_id, topic(update)))
            first.add_done_callback(_retrieve)
            typing = asyncio.create_task(_keep_typing(context.bot, chat_id, topic(update)))
            try:
                pool = context.bot_data.get(ANSWER_POOL)
                key = conversation_key(update)
                answered = context.bot_data.setdefault(_ANSWERED_FOR, OrderedDict())
                replied = update.effective_message.reply_to_message if update.effective_message else None
                earlier = answered.get((chat_id, replied.message_id)) if replied is not None else None
                if earlier is not None and earlier[0] != key:
                    context.bot_data[CONVERSATIONS].continue_with(key, earlier[1])
                conversation = context.bot_data[CONVERSATIONS].get(key)
                turn = await asyncio.get_running_loop().run_in_executor(pool, conversation.ask, question)
                at_answer = (key, tuple(conversation.history()))  # the exchange a reply to this answer continues
                answer = turn.answer
                await first
            finally:
                typing.cancel()
                first.cancel()
            markup = keyboards.answer_keyboard(answer, answerer.library.articles)
            sent = await reply(update, context, render.render_answer(answer, turn.rewritten if turn.was_rewritten else None), markup)
            for message in sent:
                _remember(answered, (chat_id, message.message_id), at_answer, ANSWERS_KEPT)
    except BaseException:
        reason = "error"
        raise
    finally:
        log_question(context, update, question, started, answer, reason)


def _mentions_bot(message: Message, username: str) -> bool:
    if not username:
        return False
    entities = message.parse_entities([MessageEntity.MENTION])
    return any(text.lower() == "@" + username.lower() for text in entities.values())


def _strip_mention(text: str, username: str) -> str:
    text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE) if username else text
    return text.strip().lstrip(",:;—–-").strip()


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot_id


# --- updates ---------------------------------------------------------------------------
_SEEN_UPDATES = "seen_update_ids"
_ANSWERED_FOR = "answered_for"  # (chat id, message id of an answer) -> (conversation key, its turns then)


async def drop_repeats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An update id met before in this run goes no further: a webhook post repeated (a proxy's
    retry, Telegram resending one it thinks went unanswered) is answered once."""
    seen = context.bot_data.setdefault(_SEEN_UPDATES, OrderedDict())
    if update.update_id in seen:
        log.info("ignoring update %d: already received", update.update_id)
        raise ApplicationHandlerStop
    _remember(seen, update.update_id, True, SEEN_UPDATES_KEPT)


async def allowlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """With ALLOWED_USER_IDS / ALLOWED_CHAT_IDS set, other updates go no further. A private
    chat is told once (per run) that the bot is not open to it; groups hear nothing."""
    policy: access.Policy | None = context.bot_data.get(POLICY)
    if policy is None or policy.allows(update):
        return
    chat = update.effective_chat
    who = access.sender(update)
    log.info("ignoring an update from chat %s, sender %s (not allowed by ALLOWED_USER_IDS / ALLOWED_CHAT_IDS)",
             chat.id if chat else None, who.id)
    try:
        if chat is not None and chat.type == ChatType.PRIVATE:
            told = context.bot_data.setdefault(_REFUSED_CHATS, OrderedDict())
            if chat.id not in told:
                _remember(told, chat.id, True, MAX_REMEMBERED)
                await send_html(context.bot, chat.id, render.render_prompt("telegram_not_allowed"), thread=topic(update))
    except Exception as exc:  # noqa: BLE001 - the update must stop here whatever happens
        log.warning("chat %s: could not send the not-allowed note: %s", chat.id, exc)
    raise ApplicationHandlerStop


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if _private(update):
        await answer_question(update, context, message.text)
        return
    username = _username(context)
    if _mentions_bot(message, username) or _replies_to_bot(message, context.bot.id):
        await answer_question(update, context, _strip_mention(message.text, username))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask QUESTION (also /ask@botname in groups); the question keeps its own spacing."""
    parts = update.effective_message.text.split(None, 1)
    await answer_question(update, context, parts[1] if len(parts) > 1 else "")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, render.render_start(_answerer(context).library.articles, _username(context)))


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data[CONVERSATIONS].reset(conversation_key(update))
    await reply(update, context, render.render_prompt("conversation_reset"))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, render.render_prompt("telegram_help", bot=_username(context)))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, render.render_prompt("telegram_about"))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, render.render_sources(_answerer(context).library.articles))


def _addressed_to_us(message: Message, username: str) -> bool:
    """A command is ours in a group only as /name@ourbot (bare commands may be another bot's)."""
    command = message.text.split(None, 1)[0] if message.text else ""
    return "@" in command and command.split("@", 1)[1].lower() == username.lower()


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if _private(update) or _addressed_to_us(update.effective_message, _username(context)):
        await reply(update, context, render.render_prompt("telegram_unknown_command"))


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice, documents…: a hint in private chats, or in groups when
    the message is a reply to the bot or its caption mentions it."""
    message = update.effective_message
    username = _username(context)
    caption = message.caption or ""
    if (
        _private(update)
        or _replies_to_bot(message, context.bot.id)
        or (username and f"@{username.lower()}" in caption.lower())
    ):
        await reply(update, context, render.render_prompt("telegram_non_text"))


async def show_excerpt(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """📄 n: the whole paragraph around the citation, as a reply to the answer."""
    query = update.callback_query
    excerpt = keyboards.resolve_cite(query.data, _answerer(context).library.articles)
    if excerpt is None or update.effective_chat is None:  # no chat: a button on an inline message
        await stale_button(update, context)
        return
    await query.answer()
    message = query.message
    reply_to = message.message_id if message is not None and message.is_accessible else None
    await send_html(context.bot, update.effective_chat.id, render.render_excerpt(excerpt.article, excerpt.start, excerpt.end), reply_to,
                    thread=topic(update))


async def show_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if update.effective_chat is None:  # a button on an inline message: no chat to send the list to
        await stale_button(update, context)
        return
    articles = _answerer(context).library.articles
    await query.answer()
    await send_html(context.bot, update.effective_chat.id, render.render_sources(articles, keyboards.cited_sources(query.data, articles)),
                    thread=topic(update))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose source is gone (re-indexed collection) or whose data we do not know."""
    log.info("chat %s: stale button %r", update.effective_chat.id if update.effective_chat else None, update.callback_query.data)
    await update.callback_query.answer(prompts.render("telegram_expired_button"), show_alert=True)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every error with its chat id (the token is redacted by the log filter); tell the
    user when answering failed on our side. The bot keeps running."""
    error = context.error
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    if update is None and isinstance(error, NetworkError):
        log.warning("Telegram API: %s", error)
        return
    if isinstance(error, Forbidden):
        log.info("chat %s: %s", chat_id, error)
        return
    if isinstance(error, NotDelivered):  # names its chat
        log.error("not delivered: %s", error)
        return
    if isinstance(error, TelegramError):
        log.warning("chat %s: Telegram API error: %s", chat_id, error)
        return
    log.error("chat %s: error while handling an update", chat_id, exc_info=error)
    if chat_id is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat_id, prompts.render("telegram_error"), message_thread_id=topic(update))

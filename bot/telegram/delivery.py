"""How requests reach Telegram: flood limits, retries, and what is given up on.

Telegram's Bot API has no idempotency key, so a request that was sent but got no answer
(read timeout, connection reset while waiting) may or may not have been carried out.
Resending it could show an answer twice; not resending could lose it. citebot delivers
*at most once*: such a request is not resent but logged as possibly undelivered with its
chat id (NotDelivered). A request Telegram certainly did not carry out — it answered with
a server error (500, 502, …), or the request never completely left us (connection
refused, connect / pool / write timeout) — is resent after each of RETRY_DELAYS and then
given up on, logged with its chat id. A 429 "retry after N" is waited out (MAX_RETRIES
times) by PTB's AIORateLimiter.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

MAX_RETRIES = 3  # a 429 "retry after N s" from Telegram is waited out and retried this often
# A request Telegram certainly did not carry out (see not_carried_out) is sent again after
# each of these pauses (seconds), then given up and logged with its chat id.
RETRY_DELAYS = (1.0, 2.0, 4.0)
# The request never (completely) left us: safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)


class NotDelivered(NetworkError):
    """A request to Telegram (an answer, mostly) given up on: failed after every retry, or
    sent without an answer from Telegram (then it may have arrived, and is not resent)."""

    def __init__(self, endpoint: str, chat_id, attempts: int, error: TelegramError, maybe: bool) -> None:
        where = f"{endpoint} to chat {chat_id}" if chat_id is not None else endpoint
        if maybe and endpoint.startswith("get"):  # getMe, getUpdates …: nothing was sent to anyone
            text = f"{where}: no answer from Telegram ({error})"
        elif maybe:
            text = f"{where}: no answer from Telegram ({error}); it may have arrived, so it is not sent again"
        else:
            text = f"{where} failed after {attempts} attempt{'s' if attempts != 1 else ''}: {error}"
        super().__init__(text)
        self.chat_id, self.attempts, self.maybe_delivered = chat_id, attempts, maybe


def not_carried_out(error: TelegramError) -> bool | None:
    """True: Telegram certainly did not carry the request out (it answered with a server
    error such as 500 or 502, or the request never completely left us); resending cannot
    make a duplicate. None: the request was sent and no answer came (read timeout,
    connection reset or closed while waiting), so it may have been carried out. False:
    not a network failure (a 400, 403, 429, … is the caller's business)."""
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False
    cause = error.__cause__
    if cause is None or isinstance(cause, TelegramError):  # Telegram answered with an error status
        return True
    return True if isinstance(cause, _NOT_SENT) else None


class RateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (Telegram's flood limits: 30 messages/s overall, 20/min per
    group; a 429 "retry after N" is waited out and retried MAX_RETRIES times), plus:

    - Network failures: a request Telegram certainly did not carry out (server error,
      or it never left us) is sent again after each of `retry_delays`; a request that
      was sent but got no answer (timeout, reset) is *not* resent — Telegram has no
      idempotency key, so a resend could show the answer twice; we prefer at most once
      and log it as possibly undelivered. Either way NotDelivered names the chat.
    - "typing…" chat actions do not wait in line behind messages and are not retried:
      they are not messages, a late one is useless, and one per answer would halve the
      answers per second. A failed chat action is only logged (handlers._typing_once).
    """

    UNQUEUED = frozenset({"sendChatAction"})

    def __init__(self, max_retries: int = MAX_RETRIES, retry_delays: tuple[float, ...] = RETRY_DELAYS, **kwargs) -> None:
        super().__init__(max_retries=max_retries, **kwargs)
        self.max_retries = max_retries
        self.retry_delays = tuple(retry_delays)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if endpoint in self.UNQUEUED:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id") if isinstance(data, dict) else None
        for attempt in range(len(self.retry_delays) + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except TelegramError as exc:
                if isinstance(exc, RetryAfter):  # flood control outlasted AIORateLimiter's max_retries
                    raise NotDelivered(endpoint, chat_id, self.max_retries + 1, exc, maybe=False) from exc
                safe = not_carried_out(exc)
                if safe is False:
                    raise
                if safe is None:
                    raise NotDelivered(endpoint, chat_id, attempt + 1, exc, maybe=True) from exc
                if attempt == len(self.retry_delays):
                    raise NotDelivered(endpoint, chat_id, attempt + 1, exc, maybe=False) from exc
                delay = self.retry_delays[attempt]
                log.info("%s to chat %s failed (%s); retrying in %.1f s", endpoint, chat_id, exc, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

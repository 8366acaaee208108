"""Who may use the bot (allowlists of users and chats) and how often (a per-sender rate limit).

The *sender* of an update is the account that sent it: `message.from_user` (for a
forwarded message that is whoever forwarded it — never the forward origin), or, when a
message was sent on behalf of a chat (`sender_chat`: an anonymous group admin, whose
`from` is GroupAnonymousBot 1087968824, or a channel), that chat. An anonymous admin
of a group counts as the group itself: allowed when the group is in ALLOWED_CHAT_IDS,
rate-limited as one sender per group.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from telegram import Update

ANONYMOUS_ADMIN_ID = 1087968824  # @GroupAnonymousBot, the `from` of anonymous admins' messages


def parse_ids(value: str | None) -> frozenset[int]:
    """"12, -100345;" -> {12, -100345}. Raises ValueError on anything else."""
    return frozenset(int(part) for part in (value or "").replace(";", ",").split(",") if part.strip())


@dataclass(frozen=True)
class Sender:
    id: int | None  # the user's id, or the id of the chat the message was sent on behalf of
    user_id: int | None  # from_user.id as Telegram sent it (1087968824 for anonymous admins)
    as_chat: bool = False  # sent on behalf of a chat (anonymous admin or channel)


def sender(update: Update) -> Sender:
    message = update.effective_message if update.callback_query is None else None
    user = update.effective_user
    user_id = user.id if user is not None else None
    if message is not None and message.sender_chat is not None:
        return Sender(message.sender_chat.id, user_id, as_chat=True)
    return Sender(user_id, user_id)


@dataclass(frozen=True)
class Policy:
    """Empty sets allow everyone. When both are set, both must allow the update."""

    users: frozenset[int] = frozenset()
    chats: frozenset[int] = frozenset()

    @property
    def active(self) -> bool:
        return bool(self.users or self.chats)

    def allows(self, update: Update) -> bool:
        if not self.active:
            return True
        chat = update.effective_chat
        who = sender(update)
        if chat is None or who.id is None:
            return False
        if self.chats and chat.id not in self.chats:
            return False
        if not self.users:
            return True
        if who.as_chat and who.id == chat.id:
            # an anonymous admin of this group: counts by the group, which must be listed
            # itself (in ALLOWED_CHAT_IDS, or in ALLOWED_USER_IDS as a sender id)
            return chat.id in self.chats or who.id in self.users
        return who.id in self.users


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0  # seconds until the sender may ask again (when not allowed)
    notify: bool = False  # tell the sender (at most once per window)

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.retry_after))


class RateLimiter:
    """At most `limit` questions per sender in any `window` seconds (a sliding window of
    the accepted questions' times, in memory). Refused questions do not count. The first
    refused question of a window gets `notify=True`, later ones in the same window not.

    `clock` is injectable (tests move time forward instead of sleeping). All calls come
    from the event loop, so no locking is needed.
    """

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic, max_senders: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_senders = max_senders
        self._hits: OrderedDict[int, deque[float]] = OrderedDict()
        self._told_until: dict[int, float] = {}

    def hit(self, key: int) -> Verdict:
        if self.limit <= 0:
            return Verdict(True)
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            self._prune(now)
            hits = self._hits[key] = deque()
        else:
            self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._told_until.pop(key, None)
            return Verdict(True)
        free_at = hits[0] + self.window
        told = self._told_until.get(key, -math.inf) > now
        if not told:
            self._told_until[key] = free_at
        return Verdict(False, free_at - now, notify=not told)

    def _prune(self, now: float) -> None:
        """Forget senders idle for a whole window (least recently seen first), and the
        oldest ones beyond max_senders."""
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if len(self._hits) <= self.max_senders and hits and hits[-1] > now - self.window:
                break
            del self._hits[key]
            self._told_until.pop(key, None)

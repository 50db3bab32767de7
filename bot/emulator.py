"""A local Telegram Bot API emulator for tests, benchmarks and the offline demo.

The emulator is a small aiohttp server on ``127.0.0.1`` that answers the Bot API methods
python-telegram-bot 22 calls, with Telegram-shaped JSON. Point a real PTB ``Application`` at it::

    emu = TelegramEmulator()
    await emu.start()
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )

Tests then play the users' side (:meth:`TelegramEmulator.inject_text`,
:meth:`~TelegramEmulator.press_button`, :meth:`~TelegramEmulator.upload_document`) and read the
bot's side from the per-chat transcript (:meth:`~TelegramEmulator.sent_messages`,
:meth:`~TelegramEmulator.wait_for`).

It enforces Telegram's published limits (about 30 messages/s overall, about 1/s per chat with a
small burst, 20/min per group) by answering ``429`` with ``parameters.retry_after``, and injects
faults on demand: 5xx answers, slow answers, dropped connections, and ``403`` for a user who
blocked the bot. Unknown methods answer ``404 Not Found`` as Telegram does.

Synchronous callers (the demo, benchmarks) can run it in a background thread with its own event
loop: :meth:`~TelegramEmulator.start_in_thread` / :meth:`~TelegramEmulator.stop_thread`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from aiohttp import web

__all__ = [
    "EDIT_METHODS",
    "FAULT_DEFAULT_METHODS",
    "SEND_METHODS",
    "EmulatorStats",
    "FileInfo",
    "TelegramEmulator",
    "TranscriptEntry",
    "parse_html",
]

#: Methods that create a bot message (counted by the rate limits, targeted by faults).
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
#: Methods that edit a bot message (they count against the per-chat and overall limits).
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})
#: What ``fail_next`` / ``slow_next`` / ``drop_next`` target when no method is named.
FAULT_DEFAULT_METHODS = SEND_METHODS | EDIT_METHODS

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Telegram's default when allowed_updates is empty: everything but these.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_SERVER_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass
class FileInfo:
    """A file kept by the emulator (uploaded by a user or sent by the bot)."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class TranscriptEntry:
    """One line of a chat transcript.

    ``direction`` is ``"in"`` (from a user) or ``"out"`` (from the bot). ``kind`` is ``"text"``,
    ``"document"``, ``"photo"`` or ``"callback"`` (a button press; it carries the pressed
    message's id and ``callback_data``, it is not a new message). ``text`` is what the user sees:
    for HTML messages the tags are parsed away (``raw_text`` keeps what the bot sent). Edits update
    ``text``/``reply_markup`` in place and bump ``edit_count``; :attr:`TelegramEmulator.edits` keeps
    the history.
    """

    seq: int
    chat_id: int
    direction: str
    kind: str
    message_id: int
    from_id: int
    timestamp: float
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    document: FileInfo | None = None
    photo: FileInfo | None = None
    caption: str | None = None
    callback_data: str | None = None
    edit_count: int = 0
    deleted: bool = False
    message: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """The inline keyboard flattened to ``(text, callback_data)`` pairs."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(b.get("text", ""), b.get("callback_data")) for row in rows for b in row]

    @property
    def file(self) -> FileInfo | None:
        return self.document or self.photo


@dataclass
class EmulatorStats:
    """Counters since start (or the last :meth:`TelegramEmulator.reset_stats`)."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    http_429: int = 0
    http_5xx: int = 0
    dropped: int = 0
    delivered: int = 0
    edited: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "statuses": dict(self.statuses),
            "http_429": self.http_429,
            "http_5xx": self.http_5xx,
            "dropped": self.dropped,
            "delivered": self.delivered,
            "edited": self.edited,
        }


# --------------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad_request(text: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {text}")


class HtmlParseError(ValueError):
    """Raised by :func:`parse_html` for text Telegram would refuse."""


class _Bucket:
    """Token bucket: ``capacity`` tokens, refilled at ``rate`` per second."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate if self.rate > 0 else math.inf

    def take(self) -> None:
        self.tokens -= 1.0


@dataclass
class _Fault:
    kind: str  # "fail" | "slow" | "drop"
    remaining: int
    methods: frozenset[str] | None  # None: any method
    status: int = 500
    seconds: float = 0.0


@dataclass
class _Chat:
    id: int
    type: str
    first_name: str | None = None
    title: str | None = None
    username: str | None = None
    blocked: bool = False
    started: bool = False
    next_message_id: int = 1
    messages: dict[int, TranscriptEntry] = field(default_factory=dict)
    transcript: list[TranscriptEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            d["first_name"] = self.first_name or ""
        else:
            d["title"] = self.title or ""
        if self.username:
            d["username"] = self.username
        return d


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTR_RE = re.compile(
    r"""([A-Za-z_][A-Za-z0-9_-]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)
_TAG_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _unescape(s: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith(("#x", "#X")):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _HTML_NAMED[name]

    return _HTML_ENTITY_RE.sub(repl, s)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into plain text and message entities.

    Accepts Telegram's tags (``b i u s a code pre tg-spoiler blockquote`` and their aliases) and
    the entities ``&lt; &gt; &amp; &quot;`` and numeric ones; an unknown tag, a stray ``<``, an
    unclosed or mismatched tag raises :class:`HtmlParseError` with a Telegram-like message.
    Offsets and lengths are in UTF-16 code units, as Telegram counts them.
    """
    out: list[str] = []
    pos = 0
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def byte_offset(k: int) -> int:
        return len(text[:k].encode("utf-8"))

    while i < n:
        c = text[i]
        if c == "<":
            j = text.find(">", i + 1)
            if j < 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(i)}")
            inner = text[i + 1 : j]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise HtmlParseError(
                        f'Unexpected end tag "{name}" at byte offset {byte_offset(i)}'
                    )
                tag, start, attrs = stack.pop()
                if name and name != tag:
                    raise HtmlParseError(
                        f'Unmatched end tag at byte offset {byte_offset(i)}, expected "</{tag}>", '
                        f'found "</{name}>"'
                    )
                if pos > start:
                    ent: dict[str, Any] = {
                        "type": _HTML_TAGS[tag],
                        "offset": start,
                        "length": pos - start,
                    }
                    if tag == "a":
                        ent["url"] = attrs.get("href", "")
                    if tag == "pre" and attrs.get("language"):
                        ent["language"] = attrs["language"]
                    if tag == "tg-emoji":
                        ent["custom_emoji_id"] = attrs.get("emoji-id", "")
                    if tag == "blockquote" and "expandable" in attrs:
                        ent["type"] = "expandable_blockquote"
                    entities.append(ent)
            else:
                m = _TAG_NAME_RE.match(inner)
                name = m.group(0).lower() if m else ""
                if name not in _HTML_TAGS:
                    raise HtmlParseError(
                        f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}'
                    )
                rest = inner[m.end() :] if m else inner
                attrs = {
                    am.group(1).lower(): _unescape(am.group(2) or am.group(3) or am.group(4) or "")
                    for am in _ATTR_RE.finditer(rest.rstrip("/"))
                }
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise HtmlParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(i)}'
                    )
                if name == "code" and stack and stack[-1][0] == "pre":
                    lang = attrs.get("class", "")
                    if lang.startswith("language-"):
                        stack[-1][2]["language"] = lang[len("language-") :]
                stack.append((name, pos, attrs))
            i = j + 1
            continue
        if c == "&":
            em = _HTML_ENTITY_RE.match(text, i)
            if em:
                ch = _unescape(em.group(0))
                out.append(ch)
                pos += _u16(ch)
                i = em.end()
                continue
        out.append(c)
        pos += 2 if ord(c) > 0xFFFF else 1
        i += 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# Parameters that are always plain strings (never JSON-decoded from a form body).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "action",
        "language_code",
        "file_id",
        "description",
        "short_description",
        "name",
        "title",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "document",
        "photo",
        "thumbnail",
        "certificate",
    }
)


def _decode_form_value(key: str, raw: str) -> Any:
    if key in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; (0, 0) if unknown."""
    with contextlib.suppress(Exception):
        if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
            w, h = struct.unpack(">II", data[16:24])
            return int(w), int(h)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            w, h = struct.unpack("<HH", data[6:10])
            return int(w), int(h)
        if data[:2] == b"\xff\xd8":
            k = 2
            while k + 9 < len(data):
                if data[k] != 0xFF:
                    k += 1
                    continue
                marker = data[k + 1]
                seg_len = struct.unpack(">H", data[k + 2 : k + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2):
                    h, w = struct.unpack(">HH", data[k + 5 : k + 9])
                    return int(w), int(h)
                k += 2 + seg_len
    return 0, 0


Predicate = Callable[[TranscriptEntry], bool]
_Handler = Callable[[dict[str, Any], dict[str, Any]], Awaitable[Any]]


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


class TelegramEmulator:
    """An in-process Telegram Bot API server for python-telegram-bot (see the module docs).

    Args:
        token: the bot token the server accepts; any other well-formed token answers 401.
        bot_username: the bot's username (without ``@``), used in ``getMe`` and commands.
        bot_name: the bot's first name in ``getMe``.
        global_rate: messages per second over all chats (bucket of one second's worth).
        per_chat_rate: sustained messages per second in one chat.
        per_chat_burst: how many messages one chat may take at once before the sustained rate.
        group_per_minute: messages per minute in one group (negative chat id).
        enforce_limits: answer 429 when a limit is exceeded; ``False`` turns limits off.
        strict_chats: when ``True``, sending to a chat never registered with :meth:`add_user`
            (and never seen in an injected message) answers 400 "chat not found"; by default such
            chats are created on the fly.
        require_start: when ``True``, a user who never sent ``/start`` answers 403 "bot can't
            initiate conversation with a user" (Telegram's rule); off by default.
        latency: seconds added to every answer.
        clock: gives the Unix time used for message dates and transcript timestamps (the demo
            may pass a simulated clock); rate limits always use the real monotonic clock.
        port: port to bind on 127.0.0.1; ``0`` picks a free one.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "nhacviec_bot",
        *,
        bot_name: str = "Nhắc Việc",
        global_rate: float = 30.0,
        per_chat_rate: float = 1.0,
        per_chat_burst: int = 3,
        group_per_minute: float = 20,
        enforce_limits: bool = True,
        strict_chats: bool = False,
        require_start: bool = False,
        latency: float = 0.0,
        clock: Callable[[], float] = time.time,
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_username = bot_username.lstrip("@")
        self.bot_name = bot_name
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.group_per_minute = group_per_minute
        self.enforce_limits = enforce_limits
        self.strict_chats = strict_chats
        self.require_start = require_start
        self.latency = latency
        self.clock = clock
        self._port = port

        self._lock = threading.RLock()
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._webhook: dict[str, Any] = {}
        self._files: dict[str, FileInfo] = {}
        self._files_by_path: dict[str, FileInfo] = {}
        self._file_counter = 0
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._callback_counter = 0
        self._answered: list[dict[str, Any]] = []
        self._edits: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._seq = 0
        self._faults: list[_Fault] = []
        self.stats = EmulatorStats()

        self._global_bucket = _Bucket(global_rate, global_rate)
        self._chat_buckets: dict[int, _Bucket] = {}
        self._group_buckets: dict[int, _Bucket] = {}

        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._waiters: set[asyncio.Event] = set()
        self._poll_generation = 0
        self._closing = False
        self._thread: threading.Thread | None = None

        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name in (
            "getMe",
            "logOut",
            "close",
            "getUpdates",
            "setWebhook",
            "deleteWebhook",
            "getWebhookInfo",
            "sendMessage",
            "sendDocument",
            "sendPhoto",
            "editMessageText",
            "editMessageCaption",
            "editMessageReplyMarkup",
            "deleteMessage",
            "answerCallbackQuery",
            "sendChatAction",
            "getFile",
            "getChat",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
        ):
            self._methods[name.lower()] = (name, getattr(self, f"_m_{name}"))

    # ---------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        if self._runner is None:
            raise RuntimeError("the emulator is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: ``http://127.0.0.1:PORT/bot``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> TelegramEmulator:
        """Bind 127.0.0.1 (a free port unless one was given) and serve."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        self._loop = asyncio.get_running_loop()
        self._closing = False
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self._port))
            self._port = sock.getsockname()[1]
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._sock = sock
        self._runner = runner
        return self

    async def stop(self) -> None:
        """Wake pending long polls, close connections and release the port."""
        if self._runner is None:
            return
        self._closing = True
        self._stopping.set()
        self._wake_pollers()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        with contextlib.suppress(OSError):
            self._sock.close()

    async def __aenter__(self) -> TelegramEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self, timeout: float = 10.0) -> TelegramEmulator:
        """Run the server in a daemon thread with its own event loop (for synchronous callers).

        The injection helpers and transcript readers are thread-safe; use :meth:`wait_for_sync`
        to wait from the calling thread. Returns ``self`` once the server listens.
        """
        if self._thread is not None:
            raise RuntimeError("the emulator thread is already running")
        ready = threading.Event()
        error: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # handed to the caller below
                error.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name="telegram-emulator", daemon=True)
        thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("the emulator thread did not start")
        if error:
            thread.join()
            raise error[0]
        self._thread = thread
        return self

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop a server started with :meth:`start_in_thread` and join its thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self.stop(), loop)
        try:
            fut.result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
            self._thread = None

    # ---------------------------------------------------------------- configuration

    def set_limits(
        self,
        *,
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        per_chat_burst: int | None = None,
        group_per_minute: float | None = None,
        enforce: bool | None = None,
    ) -> None:
        """Change the limits (and refill every bucket)."""
        with self._lock:
            if global_rate is not None:
                self.global_rate = global_rate
            if per_chat_rate is not None:
                self.per_chat_rate = per_chat_rate
            if per_chat_burst is not None:
                self.per_chat_burst = per_chat_burst
            if group_per_minute is not None:
                self.group_per_minute = group_per_minute
            if enforce is not None:
                self.enforce_limits = enforce
            self._global_bucket = _Bucket(self.global_rate, self.global_rate)
            self._chat_buckets.clear()
            self._group_buckets.clear()

    def reset_stats(self) -> None:
        with self._lock:
            self.stats = EmulatorStats()

    def _fault_methods(self, method: str | None) -> frozenset[str] | None:
        if method is None:
            return FAULT_DEFAULT_METHODS
        if method == "*":
            return None
        canonical = self._methods.get(method.lower(), (method, None))[0]
        return frozenset({canonical})

    def fail_next(self, n: int = 1, status: int = 500, *, method: str | None = None) -> None:
        """Answer the next ``n`` matching requests with ``status`` (500, 502, ...).

        ``method`` names one Bot API method; ``None`` targets send and edit methods; ``"*"``
        targets every method, including ``getUpdates``.
        """
        with self._lock:
            self._faults.append(_Fault("fail", n, self._fault_methods(method), status=status))

    def slow_next(self, n: int = 1, seconds: float = 1.0, *, method: str | None = None) -> None:
        """Delay the answer to the next ``n`` matching requests by ``seconds``."""
        with self._lock:
            self._faults.append(_Fault("slow", n, self._fault_methods(method), seconds=seconds))

    def drop_next(self, n: int = 1, *, method: str | None = None) -> None:
        """Close the connection of the next ``n`` matching requests without answering."""
        with self._lock:
            self._faults.append(_Fault("drop", n, self._fault_methods(method)))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # ---------------------------------------------------------------- users and chats

    def add_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        *,
        is_group: bool = False,
        last_name: str | None = None,
        language_code: str | None = "vi",
    ) -> dict[str, Any]:
        """Register a user (private chat id == user id) or, with ``is_group``, a group chat.

        For a group, ``user_id`` is the (negative) chat id and ``first_name`` its title.
        Returns the Telegram ``User`` (or ``Chat``) dict.
        """
        with self._lock:
            if is_group:
                chat = self._chats.get(user_id)
                if chat is None:
                    chat = _Chat(id=user_id, type="group", title=first_name, username=username)
                    self._chats[user_id] = chat
                else:
                    chat.title, chat.username = first_name, username
                return chat.as_dict()
            user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
            if last_name:
                user["last_name"] = last_name
            if username:
                user["username"] = username.lstrip("@")
            if language_code:
                user["language_code"] = language_code
            self._users[user_id] = user
            chat = self._chats.get(user_id)
            if chat is None:
                self._chats[user_id] = _Chat(
                    id=user_id, type="private", first_name=first_name, username=user.get("username")
                )
            else:
                chat.first_name, chat.username = first_name, user.get("username")
            return dict(user)

    def block_user(self, user_id: int) -> None:
        """The user blocks the bot: sends to them answer 403."""
        with self._lock:
            self._ensure_user(user_id)
            self._chats[user_id].blocked = True

    def unblock_user(self, user_id: int) -> None:
        with self._lock:
            if user_id in self._chats:
                self._chats[user_id].blocked = False

    def user(self, user_id: int) -> dict[str, Any]:
        with self._lock:
            return dict(self._ensure_user(user_id))

    def _ensure_user(self, user_id: int) -> dict[str, Any]:
        if user_id not in self._users:
            self.add_user(user_id, f"User {user_id}")
        return self._users[user_id]

    def _chat_for(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                self._ensure_user(chat_id)
            else:
                self.add_user(chat_id, f"Group {chat_id}", is_group=True)
            chat = self._chats[chat_id]
        return chat

    # ---------------------------------------------------------------- injection (the users' side)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _new_message_id(self, chat: _Chat) -> int:
        mid = chat.next_message_id
        chat.next_message_id += 1
        return mid

    def _push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._wake_pollers()
        return update

    def _reply_dict(self, chat: _Chat, message_id: int) -> dict[str, Any]:
        target = chat.messages.get(message_id)
        if target is None or target.deleted:
            raise ValueError(f"no message {message_id} in chat {chat.id}")
        reply = dict(target.message)
        reply.pop("reply_to_message", None)
        return reply

    def _user_message(
        self, user_id: int, chat_id: int | None, reply_to_message_id: int | None
    ) -> tuple[_Chat, dict[str, Any], dict[str, Any]]:
        user = self._ensure_user(user_id)
        chat = self._chat_for(user_id if chat_id is None else chat_id)
        msg: dict[str, Any] = {
            "message_id": self._new_message_id(chat),
            "date": int(self.clock()),
            "chat": chat.as_dict(),
            "from": dict(user),
        }
        if reply_to_message_id is not None:
            msg["reply_to_message"] = self._reply_dict(chat, reply_to_message_id)
        return chat, user, msg

    def _record_in(self, chat: _Chat, msg: dict[str, Any], kind: str, **kw: Any) -> TranscriptEntry:
        entry = TranscriptEntry(
            seq=self._next_seq(),
            chat_id=chat.id,
            direction="in",
            kind=kind,
            message_id=msg["message_id"],
            from_id=msg["from"]["id"],
            timestamp=self.clock(),
            reply_to=(msg.get("reply_to_message") or {}).get("message_id"),
            message=msg,
            **kw,
        )
        chat.messages[entry.message_id] = entry
        chat.transcript.append(entry)
        return entry

    def inject_text(
        self,
        user_id: int,
        text: str,
        *,
        reply_to_message_id: int | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """A user sends ``text`` (to the private chat, or to the group ``chat_id``).

        A leading ``/cmd`` or ``/cmd@bot`` gets a ``bot_command`` entity. With
        ``reply_to_message_id`` the message is a reply to that message of the chat. Returns the
        update dict (``update["message"]["message_id"]`` is the new message's id).
        """
        with self._lock:
            chat, _user, msg = self._user_message(user_id, chat_id, reply_to_message_id)
            msg["text"] = text
            entities: list[dict[str, Any]] = []
            if text.startswith("/"):
                cmd = re.match(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,64})?", text)
                if cmd:
                    entities.append(
                        {"type": "bot_command", "offset": 0, "length": _u16(cmd.group(0))}
                    )
                    if cmd.group(0).split("@")[0] == "/start" and chat.type == "private":
                        chat.started = True
            if entities:
                msg["entities"] = entities
            self._record_in(chat, msg, "text", text=text, raw_text=text, entities=entities)
            return self._push_update("message", msg)

    def press_button(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> str:
        """A user presses the inline button carrying ``data`` under bot message ``message_id``.

        Raises ``ValueError`` if the message does not exist or has no such button. Returns the
        callback query id (what ``answerCallbackQuery`` must answer).
        """
        with self._lock:
            user = self._ensure_user(user_id)
            chat = self._chat_for(user_id if chat_id is None else chat_id)
            target = chat.messages.get(message_id)
            if target is None or target.deleted or target.direction != "out":
                raise ValueError(f"no bot message {message_id} in chat {chat.id}")
            labels = {d: t for t, d in target.buttons if d is not None}
            if data not in labels:
                raise ValueError(f"message {message_id} has no button with data {data!r}")
            self._callback_counter += 1
            query_id = str(4_000_000_000_000_000_000 + self._callback_counter)
            query = {
                "id": query_id,
                "from": dict(user),
                "message": dict(target.message),
                "chat_instance": str(abs(chat.id) * 7919 + self.bot_id),
                "data": data,
            }
            self._callbacks[query_id] = {
                "user_id": user_id,
                "chat_id": chat.id,
                "message_id": message_id,
                "data": data,
                "answered": False,
            }
            entry = TranscriptEntry(
                seq=self._next_seq(),
                chat_id=chat.id,
                direction="in",
                kind="callback",
                message_id=message_id,
                from_id=user_id,
                timestamp=self.clock(),
                text=labels[data],
                callback_data=data,
                message=query,
            )
            chat.transcript.append(entry)
            self._push_update("callback_query", query)
            return query_id

    def upload_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a file. ``getFile`` + download then returns ``content``.

        Returns the update dict (``update["message"]["document"]["file_id"]``).
        """
        with self._lock:
            chat, _user, msg = self._user_message(user_id, chat_id, reply_to_message_id)
            info = self._store_file(content, filename, mime_type, "documents")
            msg["document"] = self._document_dict(info)
            if caption:
                msg["caption"] = caption
            self._record_in(chat, msg, "document", document=info, caption=caption, text=caption)
            return self._push_update("message", msg)

    def inject_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue any other update (``kind`` is e.g. ``"my_chat_member"``), as given."""
        with self._lock:
            return self._push_update(kind, payload)

    # ---------------------------------------------------------------- reading (the tests' side)

    def transcript(self, chat_id: int) -> list[TranscriptEntry]:
        """Everything in the chat, in order: user messages, button presses, bot messages."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return list(chat.transcript) if chat else []

    def chats(self) -> list[int]:
        with self._lock:
            return list(self._chats)

    def sent_messages(self, chat_id: int | None = None) -> list[TranscriptEntry]:
        """Bot messages (not deleted), in the order they were sent; all chats if no chat_id."""
        with self._lock:
            return self._sent(chat_id)

    def _sent(self, chat_id: int | None) -> list[TranscriptEntry]:
        chats = [self._chats[chat_id]] if chat_id in self._chats else []
        if chat_id is None:
            chats = list(self._chats.values())
        out = [e for c in chats for e in c.transcript if e.direction == "out" and not e.deleted]
        out.sort(key=lambda e: e.seq)
        return out

    def last_bot_message(self, chat_id: int) -> TranscriptEntry | None:
        with self._lock:
            sent = self._sent(chat_id)
            return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> TranscriptEntry | None:
        with self._lock:
            chat = self._chats.get(chat_id)
            return chat.messages.get(message_id) if chat else None

    def mark(self) -> int:
        """A position in the stream of events; pass it as ``since`` to :meth:`wait_for`."""
        with self._lock:
            return self._seq

    @property
    def answered_callbacks(self) -> list[dict[str, Any]]:
        """Each ``answerCallbackQuery``: callback_query_id, text, show_alert, url, data, ..."""
        with self._lock:
            return [dict(a) for a in self._answered]

    @property
    def edits(self) -> list[dict[str, Any]]:
        """Each successful edit: method, chat_id, message_id, text, reply_markup, timestamp."""
        with self._lock:
            return [dict(e) for e in self._edits]

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The bot's default command list (``setMyCommands`` without scope or language)."""
        with self._lock:
            return list(self._commands.get(("default", ""), []))

    @property
    def webhook_url(self) -> str:
        return str(self._webhook.get("url", ""))

    @property
    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    def file_info(self, file_id: str) -> FileInfo | None:
        with self._lock:
            return self._files.get(file_id)

    def _match(
        self, what: int | Predicate, chat_id: int | None, since: int | None
    ) -> tuple[bool, list[TranscriptEntry]]:
        sent = [e for e in self._sent(chat_id) if since is None or e.seq > since]
        if isinstance(what, int):
            return len(sent) >= what, sent
        hits = [e for e in sent if what(e)]
        return bool(hits), hits

    async def wait_for(
        self,
        what: int | Predicate = 1,
        chat_id: int | None = None,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> list[TranscriptEntry]:
        """Wait until bot messages have arrived.

        ``what`` is a count (at least that many bot messages) or a predicate on a
        :class:`TranscriptEntry` (at least one message satisfies it). Only messages in
        ``chat_id`` (if given) and after ``since`` (from :meth:`mark`) are considered. Returns
        the considered messages (for a count) or the matching ones (for a predicate); raises
        ``TimeoutError`` after ``timeout`` seconds. Works from any event loop or thread.
        """
        deadline = time.monotonic() + timeout
        while (found := self._poll(what, chat_id, since, deadline)) is None:
            await asyncio.sleep(0.005)
        return found

    def wait_for_sync(
        self,
        what: int | Predicate = 1,
        chat_id: int | None = None,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> list[TranscriptEntry]:
        """Blocking :meth:`wait_for` for threads (use with :meth:`start_in_thread`)."""
        deadline = time.monotonic() + timeout
        while (found := self._poll(what, chat_id, since, deadline)) is None:
            time.sleep(0.005)
        return found

    def _poll(self, what: int | Predicate, chat_id: int | None, since: int | None,
              deadline: float) -> list[TranscriptEntry] | None:
        """One look for :meth:`wait_for`: the messages, None to look again, or TimeoutError."""
        with self._lock:
            ok, found = self._match(what, chat_id, since)
        if ok:
            return found
        if time.monotonic() >= deadline:
            raise TimeoutError(self._timeout_message(what, chat_id, found))
        return None

    def _timeout_message(
        self, what: int | Predicate, chat_id: int | None, found: list[TranscriptEntry]
    ) -> str:
        where = f"chat {chat_id}" if chat_id is not None else "any chat"
        want = f"{what} bot message(s)" if isinstance(what, int) else "a matching bot message"
        with self._lock:
            seen = [(e.chat_id, e.text) for e in self._sent(chat_id)][-5:]
        return f"timed out waiting for {want} in {where}; last bot messages: {seen!r}"

    # ---------------------------------------------------------------- HTTP plumbing

    def _wake_pollers(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            for ev in list(self._waiters):
                ev.set()
        else:
            loop.call_soon_threadsafe(self._wake_pollers_in_loop)

    def _wake_pollers_in_loop(self) -> None:
        for ev in list(self._waiters):
            ev.set()

    @staticmethod
    def _json_response(status: int, body: dict[str, Any]) -> web.Response:
        return web.Response(
            status=status,
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            content_type="application/json",
        )

    def _error_response(self, err: _ApiError) -> web.Response:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": err.status,
            "description": err.description,
        }
        if err.parameters:
            body["parameters"] = err.parameters
        with self._lock:
            self.stats.statuses[err.status] += 1
            if err.status == 429:
                self.stats.http_429 += 1
            elif err.status >= 500:
                self.stats.http_5xx += 1
        return self._json_response(err.status, body)

    def _take_fault(self, kind: str, method: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if (
                    fault.kind == kind
                    and fault.remaining > 0
                    and (fault.methods is None or method in fault.methods)
                ):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        params: dict[str, Any] = {k: _decode_form_value(k, v) for k, v in request.query.items()}
        files: dict[str, Any] = {}
        if not request.body_exists:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise _bad_request("can't parse JSON request body") from exc
            if not isinstance(body, dict):
                raise _bad_request("request body must be a JSON object")
            params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value
                else:
                    params[key] = _decode_form_value(key, str(value))
        return params, files

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method_name = request.match_info["method"]
        if self.latency > 0:
            await self._sleep(self.latency)
        if token != self.token:
            if _TOKEN_RE.match(token):
                return self._error_response(_ApiError(401, "Unauthorized"))
            return self._error_response(_ApiError(404, "Not Found"))
        canonical, handler = self._methods.get(method_name.lower(), (method_name, None))
        with self._lock:
            self.stats.requests[canonical] += 1
        if handler is None:
            return self._error_response(_ApiError(404, "Not Found"))

        try:
            params, files = await self._read_params(request)
        except _ApiError as err:
            return self._error_response(err)
        except (ConnectionError, asyncio.IncompleteReadError):
            return self._abandon(request)  # the client went away mid-body

        slow = self._take_fault("slow", canonical)
        if slow is not None:
            await self._sleep(slow.seconds)
        if self._take_fault("drop", canonical) is not None:
            with self._lock:
                self.stats.dropped += 1
            return self._abandon(request)
        fail = self._take_fault("fail", canonical)
        if fail is not None:
            phrase = _SERVER_ERRORS.get(fail.status, "Server Error")
            return self._error_response(_ApiError(fail.status, phrase))

        try:
            result = await handler(params, files)
        except _ApiError as err:
            return self._error_response(err)
        with self._lock:
            self.stats.statuses[200] += 1
        return self._json_response(200, {"ok": True, "result": result})

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up early when the server stops (so stop() does not wait)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    @staticmethod
    def _abandon(request: web.Request) -> web.StreamResponse:
        """Close the connection without an answer (the client sees a disconnect)."""
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error_response(_ApiError(404, "Not Found"))
        with self._lock:
            info = self._files_by_path.get(request.match_info["path"])
            self.stats.requests["file download"] += 1
        if info is None:
            return self._error_response(_ApiError(404, "Not Found"))
        return web.Response(
            body=info.content, content_type=info.mime_type or "application/octet-stream"
        )

    # ---------------------------------------------------------------- helpers for methods

    def _resolve_chat(self, params: dict[str, Any], *, for_send: bool = True) -> _Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            name = raw[1:].lower()
            for known in self._chats.values():
                if known.username and known.username.lower() == name:
                    return known
            raise _bad_request("chat not found")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError) as exc:
            raise _bad_request("chat not found") from exc
        found = self._chats.get(chat_id)
        if found is None and self.strict_chats:
            raise _bad_request("chat not found")
        chat = found if found is not None else self._chat_for(chat_id)
        if for_send and chat.type == "private":
            if chat.blocked:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            if self.require_start and not chat.started:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _check_limits(self, chat: _Chat) -> None:
        """Raise 429 if sending to ``chat`` now breaks a limit; otherwise count the send."""
        if not self.enforce_limits:
            return
        now = time.monotonic()
        chat_bucket = self._chat_buckets.get(chat.id)
        if chat_bucket is None:
            chat_bucket = _Bucket(self.per_chat_rate, self.per_chat_burst)
            self._chat_buckets[chat.id] = chat_bucket
        buckets = [self._global_bucket, chat_bucket]
        if chat.id < 0:
            group_bucket = self._group_buckets.get(chat.id)
            if group_bucket is None:
                group_bucket = _Bucket(self.group_per_minute / 60.0, self.group_per_minute)
                self._group_buckets[chat.id] = group_bucket
            buckets.append(group_bucket)
        wait = max(b.wait(now) for b in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait)) if math.isfinite(wait) else 3600
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        for b in buckets:
            b.take()

    def _parse_text(
        self, text: Any, parse_mode: Any, *, caption: bool = False
    ) -> tuple[str, list[dict[str, Any]]]:
        what = "caption" if caption else "text"
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        mode = str(parse_mode or "").lower()
        if mode == "html":
            try:
                plain, entities = parse_html(text)
            except HtmlParseError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from exc
        else:
            plain, entities = text, []
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if not caption and not plain.strip():
            raise _bad_request("message text is empty")
        if len(plain) > limit:
            raise _bad_request(f"message {what} is too long" if caption else "message is too long")
        return plain, entities

    @staticmethod
    def _json_param(params: dict[str, Any], key: str) -> Any:
        value = params.get(key)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise _bad_request(f"can't parse {key} JSON object") from exc
        return value

    def _reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = self._json_param(params, "reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup '
                    "should be an Array of Arrays"
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _bad_request('can\'t find field "text"')
                    data = button.get("callback_data")
                    if data is not None and (
                        not isinstance(data, str)
                        or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _bad_request("BUTTON_DATA_INVALID")
        return markup

    def _reply_to(self, chat: _Chat, params: dict[str, Any]) -> int | None:
        reply_params = self._json_param(params, "reply_parameters")
        mid: Any = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_params, dict):
            mid = reply_params.get("message_id")
            allow_missing = bool(reply_params.get("allow_sending_without_reply", allow_missing))
        elif params.get("reply_to_message_id") is not None:
            mid = params.get("reply_to_message_id")
        if mid is None:
            return None
        try:
            mid = int(mid)
        except (TypeError, ValueError) as exc:
            raise _bad_request("message to be replied not found") from exc
        target = chat.messages.get(mid)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise _bad_request("message to be replied not found")
        return mid

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _store_file(
        self, content: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> FileInfo:
        self._file_counter += 1
        n = self._file_counter
        prefix = "AgAC" if folder == "photos" else "BQAC"
        suffix = PurePosixPath(file_name).suffix if file_name else ""
        if folder == "photos" and not suffix:
            suffix = ".jpg"
        width, height = _image_size(content) if folder == "photos" else (0, 0)
        info = FileInfo(
            file_id=f"{prefix}emu{self.bot_id}_{n:06d}",
            file_unique_id=f"AQAD{n:08d}",
            file_path=f"{folder}/file_{n}{suffix}",
            content=bytes(content),
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._files[info.file_id] = info
        self._files_by_path[info.file_path] = info
        return info

    @staticmethod
    def _document_dict(info: FileInfo) -> dict[str, Any]:
        d: dict[str, Any] = {
            "file_id": info.file_id,
            "file_unique_id": info.file_unique_id,
            "file_size": info.size,
        }
        if info.file_name:
            d["file_name"] = info.file_name
        if info.mime_type:
            d["mime_type"] = info.mime_type
        return d

    @staticmethod
    def _photo_list(info: FileInfo) -> list[dict[str, Any]]:
        return [
            {
                "file_id": info.file_id,
                "file_unique_id": info.file_unique_id,
                "file_size": info.size,
                "width": info.width,
                "height": info.height,
            }
        ]

    async def _input_file(
        self, params: dict[str, Any], files: dict[str, Any], key: str, folder: str
    ) -> FileInfo:
        value = params.get(key)
        part = files.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value[len("attach://") :])
            if part is None:
                raise _bad_request(f"file {value} not found in the request")
        if part is not None:
            content = part.file.read()
            if not content:
                raise _bad_request("file must be non-empty")
            mime = part.content_type
            if mime in (None, "", "application/octet-stream") and folder == "photos":
                mime = "image/jpeg"
            return self._store_file(content, part.filename, mime, folder)
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is None:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            return known
        raise _bad_request(f"there is no {key} in the request")

    def _send_common(
        self,
        params: dict[str, Any],
        kind: str,
        *,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        file: FileInfo | None = None,
    ) -> dict[str, Any]:
        chat = self._resolve_chat(params)
        markup = self._reply_markup(params)
        reply_to = self._reply_to(chat, params)
        self._check_limits(chat)
        msg: dict[str, Any] = {
            "message_id": self._new_message_id(chat),
            "from": self._bot_user(),
            "chat": chat.as_dict(),
            "date": int(self.clock()),
        }
        if reply_to is not None:
            msg["reply_to_message"] = self._reply_dict(chat, reply_to)
        caption: str | None = None
        if kind == "text":
            msg["text"] = text
            if entities:
                msg["entities"] = entities
        else:
            assert file is not None
            if kind == "document":
                msg["document"] = self._document_dict(file)
            else:
                msg["photo"] = self._photo_list(file)
            if text:
                caption = text
                msg["caption"] = text
                if entities:
                    msg["caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        raw = params.get("caption") if kind != "text" else params.get("text")
        entry = TranscriptEntry(
            seq=self._next_seq(),
            chat_id=chat.id,
            direction="out",
            kind=kind,
            message_id=msg["message_id"],
            from_id=self.bot_id,
            timestamp=self.clock(),
            text=text,
            raw_text=raw if isinstance(raw, str) else None,
            parse_mode=params.get("parse_mode") or None,
            entities=list(entities or []),
            reply_markup=markup,
            reply_to=reply_to,
            document=file if kind == "document" else None,
            photo=file if kind == "photo" else None,
            caption=caption,
            message=msg,
        )
        chat.messages[entry.message_id] = entry
        chat.transcript.append(entry)
        self.stats.delivered += 1
        return msg

    def _editable(self, params: dict[str, Any]) -> tuple[_Chat, TranscriptEntry]:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the emulator")
        chat = self._resolve_chat(params)
        try:
            mid = int(params.get("message_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise _bad_request("message identifier is not specified") from exc
        entry = chat.messages.get(mid)
        if entry is None or entry.deleted:
            raise _bad_request("message to edit not found")
        if entry.direction != "out":
            raise _bad_request("message can't be edited")
        return chat, entry

    def _record_edit(self, method: str, entry: TranscriptEntry) -> dict[str, Any]:
        entry.edit_count += 1
        entry.message["edit_date"] = int(self.clock())
        self._edits.append(
            {
                "method": method,
                "chat_id": entry.chat_id,
                "message_id": entry.message_id,
                "text": entry.text,
                "reply_markup": entry.reply_markup,
                "timestamp": self.clock(),
            }
        )
        self.stats.edited += 1
        return dict(entry.message)

    # ---------------------------------------------------------------- Bot API methods

    async def _m_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logOut(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _m_close(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _m_setWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            url = str(params.get("url") or "")
            # Plain http only for a webhook on this machine (the webhook tests listen there).
            local = url.startswith(("http://127.0.0.1:", "http://localhost:"))
            if url and not url.startswith("https://") and not local:
                raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            self._webhook = {k: v for k, v in params.items() if k != "certificate"} if url else {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._wake_pollers()
            return True

    async def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            self._webhook = {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
            return True

    async def _m_getWebhookInfo(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            info: dict[str, Any] = {
                "url": self._webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self._webhook.get("allowed_updates"):
                info["allowed_updates"] = self._webhook["allowed_updates"]
            return info

    def _select_updates(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        if offset is not None:
            if offset < 0:
                keep = -offset
                while len(self._updates) > keep:
                    self._updates.popleft()
            else:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
        allowed = set(self._allowed_updates or [])
        picked: list[dict[str, Any]] = []
        for update in list(self._updates):
            kind = next(k for k in update if k != "update_id")
            ok = kind in allowed if allowed else kind not in _NOT_DEFAULT_UPDATES
            if not ok:
                self._updates.remove(update)  # Telegram never delivers it
                continue
            picked.append(update)
            if len(picked) >= limit:
                break
        return picked

    async def _m_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        try:
            offset = int(params["offset"]) if params.get("offset") is not None else None
            limit = int(params.get("limit") or 100)
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError) as exc:
            raise _bad_request("wrong parameter value") from exc
        limit = min(max(limit, 1), 100)
        with self._lock:
            if self._webhook.get("url"):
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            allowed = self._json_param(params, "allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed]
            self._poll_generation += 1
            generation = self._poll_generation
        # A newer getUpdates terminates an older one (as Telegram does).
        self._wake_pollers_in_loop()
        event = asyncio.Event()
        self._waiters.add(event)
        deadline = time.monotonic() + timeout
        try:
            while True:
                event.clear()
                with self._lock:
                    if generation != self._poll_generation:
                        raise _ApiError(
                            409,
                            "Conflict: terminated by other getUpdates request; make sure that "
                            "only one bot instance is running",
                        )
                    updates = self._select_updates(offset, limit)
                    offset = None  # confirm only once
                remaining = deadline - time.monotonic()
                if updates or remaining <= 0 or self._closing:
                    return updates
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            self._waiters.discard(event)

    async def _m_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            text, entities = self._parse_text(params.get("text"), params.get("parse_mode"))
            return self._send_common(params, "text", text=text, entities=entities)

    async def _send_file(self, params: dict[str, Any], files: dict[str, Any], kind: str) -> Any:
        key, folder = ("document", "documents") if kind == "document" else ("photo", "photos")
        with self._lock:
            caption, entities = None, None
            if params.get("caption"):
                caption, entities = self._parse_text(
                    params.get("caption"), params.get("parse_mode"), caption=True
                )
            # Validate the chat and limits before keeping the bytes.
            chat = self._resolve_chat(params)
            self._reply_markup(params)
            self._reply_to(chat, params)
        info = await self._input_file(params, files, key, folder)
        with self._lock:
            return self._send_common(params, kind, text=caption, entities=entities, file=info)

    async def _m_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return await self._send_file(params, files, "document")

    async def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return await self._send_file(params, files, "photo")

    async def _m_editMessageText(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            chat, entry = self._editable(params)
            if entry.kind != "text":
                raise _bad_request("there is no text in the message to edit")
            text, entities = self._parse_text(params.get("text"), params.get("parse_mode"))
            markup = self._reply_markup(params)
            if text == entry.text and entities == entry.entities and markup == entry.reply_markup:
                raise _bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            self._check_limits(chat)
            entry.text, entry.entities, entry.reply_markup = text, entities, markup
            entry.raw_text = params.get("text")
            entry.parse_mode = params.get("parse_mode") or None
            entry.message["text"] = text
            entry.message.pop("entities", None)
            if entities:
                entry.message["entities"] = entities
            self._set_markup(entry, markup)
            return self._record_edit("editMessageText", entry)

    async def _m_editMessageCaption(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            chat, entry = self._editable(params)
            if entry.kind not in ("document", "photo"):
                raise _bad_request("there is no caption in the message to edit")
            caption, entities = self._parse_text(
                params.get("caption") or "", params.get("parse_mode"), caption=True
            )
            markup = self._reply_markup(params)
            if caption == (entry.caption or "") and markup == entry.reply_markup:
                raise _bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            self._check_limits(chat)
            entry.caption = entry.text = caption or None
            entry.entities, entry.reply_markup = entities, markup
            entry.message.pop("caption", None)
            entry.message.pop("caption_entities", None)
            if caption:
                entry.message["caption"] = caption
                if entities:
                    entry.message["caption_entities"] = entities
            self._set_markup(entry, markup)
            return self._record_edit("editMessageCaption", entry)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            chat, entry = self._editable(params)
            markup = self._reply_markup(params)
            if markup == entry.reply_markup or (
                not entry.reply_markup and not (markup or {}).get("inline_keyboard")
            ):
                raise _bad_request(
                    "message is not modified: specified new message content and reply markup "
                    "are exactly the same as a current content and reply markup of the message"
                )
            self._check_limits(chat)
            entry.reply_markup = markup if (markup or {}).get("inline_keyboard") else None
            self._set_markup(entry, entry.reply_markup)
            return self._record_edit("editMessageReplyMarkup", entry)

    @staticmethod
    def _set_markup(entry: TranscriptEntry, markup: dict[str, Any] | None) -> None:
        if markup and markup.get("inline_keyboard"):
            entry.message["reply_markup"] = markup
        else:
            entry.message.pop("reply_markup", None)

    async def _m_deleteMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._resolve_chat(params, for_send=False)
            try:
                mid = int(params.get("message_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError) as exc:
                raise _bad_request("message identifier is not specified") from exc
            entry = chat.messages.get(mid)
            if entry is None or entry.deleted:
                raise _bad_request("message to delete not found")
            entry.deleted = True
            return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            query_id = str(params.get("callback_query_id") or "")
            query = self._callbacks.get(query_id)
            if query is None or query["answered"]:
                raise _bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            text = params.get("text")
            if text is not None and len(str(text)) > 200:
                raise _bad_request("MESSAGE_TOO_LONG")
            query["answered"] = True
            self._answered.append(
                {
                    "callback_query_id": query_id,
                    "text": text,
                    "show_alert": bool(params.get("show_alert", False)),
                    "url": params.get("url"),
                    "cache_time": params.get("cache_time"),
                    "user_id": query["user_id"],
                    "chat_id": query["chat_id"],
                    "message_id": query["message_id"],
                    "data": query["data"],
                    "timestamp": self.clock(),
                }
            )
            return True

    async def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            self._resolve_chat(params)
            if not params.get("action"):
                raise _bad_request("wrong parameter action in request")
            return True

    async def _m_getFile(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            info = self._files.get(str(params.get("file_id") or ""))
            if info is None:
                raise _bad_request("invalid file_id")
            return {
                "file_id": info.file_id,
                "file_unique_id": info.file_unique_id,
                "file_size": info.size,
                "file_path": info.file_path,
            }

    async def _m_getChat(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._resolve_chat(params, for_send=False)
            d = chat.as_dict()
            d["accent_color_id"] = 0
            d["max_reaction_count"] = 11
            d["accepted_gift_types"] = {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            }
            return d

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = TelegramEmulator._json_param(params, "scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise _bad_request("can't parse BotCommandScope JSON object")
        key = scope.get("type", "default")
        if "chat_id" in scope:
            key += f":{scope['chat_id']}"
        if "user_id" in scope:
            key += f":{scope['user_id']}"
        return key, str(params.get("language_code") or "")

    async def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        commands = self._json_param(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("can't parse commands JSON array")
        for cmd in commands:
            name = cmd.get("command", "") if isinstance(cmd, dict) else ""
            desc = cmd.get("description", "") if isinstance(cmd, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(desc)) <= 256:
                raise _bad_request(
                    "BOT_COMMAND_DESCRIPTION_INVALID" if desc else "command description is empty"
                )
        with self._lock:
            self._commands[self._scope_key(params)] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
            return True

    async def _m_getMyCommands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            return list(self._commands.get(self._scope_key(params), []))

    async def _m_deleteMyCommands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            self._commands.pop(self._scope_key(params), None)
            return True

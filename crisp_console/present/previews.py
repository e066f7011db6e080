"""A message as one line of human words, for every place that shows a "last message":
the list's rows, the people panel's past conversations, search rows Crisp named, the
palette, notifications and the stale-reply prompt.

Two inputs reach those places. A whole message (``message_preview``: type and content, as
the thread holds it), or a conversation's ``last_message`` (``last_preview``): the wire's
excerpt, which for structured messages is a raw shape such as "[event] state:resolved" or
"[file] invoice.pdf" (core.excerpt_of writes it the way Crisp's sandbox does, so a live
update and a refetch agree; the stored value stays the wire's, search indexes it as is).
Both give the same words for the same message. Content is hostile: a wrong type or shape
gives a generic word, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crisp_console.present.content import EVENT_TEXTS, file_name_of
from crisp_console.present.plain import one_line
from crisp_console.present.timefmt import duration

LIMIT = 300  # characters kept of any preview (callers elide further)
NOTE = "Note: "
FILE = "📎 "
GIF = "GIF"
VOICE = "🎤 Voice message"
# The words for a structured message whose content gave none.
FALLBACKS = {"file": FILE + "File", "animation": GIF, "audio": VOICE, "picker": "Choices",
             "field": "Question", "carousel": "Cards", "event": "Event"}
STRUCTURED = frozenset(FALLBACKS)
# core.excerpt_of's raw shapes: "[kind]" or "[kind] rest".
_RAW = re.compile(r"\[(\w+)\](?: (.*))?", re.DOTALL)


def message_preview(kind: Any, content: Any) -> str:
    """A message (its type and content, as the thread holds them) in a line of words."""
    kind = kind if isinstance(kind, str) else ""
    if kind == "note":
        return _note(content)
    if isinstance(content, str):  # text, or a structured type sent as a string
        text = one_line(content, LIMIT)
        if kind in STRUCTURED:
            return _structured(kind, text) if text else FALLBACKS[kind]
        return text
    if not isinstance(content, Mapping):
        return FALLBACKS.get(kind, "Message")
    if kind == "file":
        return _file(_str(content.get("name")) or _str(content.get("url")))
    if kind == "animation":
        return GIF
    if kind == "audio":
        length = duration(content.get("duration"))
        return f"{VOICE} · {length}" if length else VOICE
    if kind == "event":
        return _event(_str(content.get("namespace")), _str(content.get("text")))
    if kind == "carousel":
        return (_str(content.get("text")) or _first_title(content.get("targets"))
                or FALLBACKS["carousel"])
    return _str(content.get("text")) or FALLBACKS.get(kind, "Message")


def last_preview(kind: Any, excerpt: Any, limit: int = LIMIT) -> str:
    """A conversation's last message in words, from its ``last_type`` (the wire's
    preview_message type, "" when unknown) and ``last_message`` (the wire's excerpt).
    "" when there is no excerpt (the caller says "No messages"). ``limit``: characters of
    the excerpt read."""
    text = one_line(excerpt, limit)
    kind = kind if isinstance(kind, str) else ""
    if not text:
        return ""
    if kind == "note":
        return NOTE + text
    if kind in STRUCTURED:
        return _structured(kind, text)
    if kind == "":  # no type (an older cache, a server without preview_message)
        raw = _RAW.fullmatch(text)
        if raw is not None and raw.group(1) in STRUCTURED:
            return _structured(raw.group(1), text)
    return text  # a text message: "[file] x" typed by a visitor stays as typed


def _structured(kind: str, text: str) -> str:
    """A structured message's excerpt (raw "[kind] rest", or plain words) in words."""
    raw = _RAW.fullmatch(text)
    rest = one_line(raw.group(2), LIMIT) if raw is not None and raw.group(1) == kind else None
    if kind == "event":
        return _event(rest, "") if rest is not None else _event(text, text)
    if kind == "file":
        return _file(rest if rest is not None else text)
    if kind in ("animation", "audio"):
        return FALLBACKS[kind]
    return FALLBACKS[kind] if rest is not None and not rest else rest or text


def _event(namespace: str | None, text: str) -> str:
    """Known namespaces in our words (as the thread's event lines), else the event's text,
    else the namespace itself."""
    namespace = namespace or ""
    return EVENT_TEXTS.get(namespace) or text or namespace or FALLBACKS["event"]


def _file(name: str) -> str:
    """A file by its name; a URL (what some excerpts and contents give) by its last part."""
    if "://" in name:
        name = one_line(file_name_of(name), LIMIT)
    return FILE + (name or "File")


def _note(content: Any) -> str:
    text = content if isinstance(content, str) else (
        content.get("text") if isinstance(content, Mapping) else None)
    body = one_line(text, LIMIT)
    return NOTE + body if body else "Note"


def _first_title(targets: Any) -> str:
    if isinstance(targets, list | tuple):
        for target in targets:
            if isinstance(target, Mapping) and _str(target.get("title")):
                return _str(target.get("title"))
    return ""


def _str(value: Any) -> str:
    return one_line(value, LIMIT) if isinstance(value, str) else ""

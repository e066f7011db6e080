"""What a bubble shows for each message type, as safe HTML plus painting hints (no painting);
its footer (time, ticks, a send's state), a media placeholder's words and the first link it
would open.

Every builder reads the content defensively: a missing key, a wrong type or a whole content of
the wrong shape gives an empty part or the "[unsupported message]" fallback, never an
exception. All sender-provided text goes through ``richtext.escape``/``safe_html``; the only
links are those ``richtext.link`` accepts (http, https, mailto). Nothing is loaded: images
and animations become a placeholder box named after the URL's file (lazy loading of the real
media is left for later).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from urllib.parse import unquote, urlsplit

from crisp_console.core import Message, MessageStatus
from crisp_console.present.plain import one_line
from crisp_console.present.richtext import allowed_link, escape, link, safe_html
from crisp_console.present.timefmt import clock_time, duration

# The UI area's logger, as before the move: a bubble that cannot render is the window's concern.
log = logging.getLogger("crisp_console.ui")

UNSUPPORTED = "[unsupported message]"
MAX_ITEMS = 20  # choices or carousel cards shown; the rest is summarised
MAX_FIELD = 500  # characters of a label, title or description

# Only our own markup is searched (content.py and richtext.py write every <a href>), so a
# pattern is enough; the result is checked with allowed_link again anyway.
_HREF = re.compile(r'<a href="([^"]*)">')

_HINTS = {
    "loading": ("Loading…", False),
    "blocked": ("Click or press Enter to load {kind}", True),
    "failed": ("{Kind} unavailable", False),
}

# A footer part: ("muted"|"error"|"status", text) or
# ("ticks1"|"ticks2"|"read"|"clock"|"alert"|"queued", ""). "error" and "status" may be elided.
Part = tuple[str, str]

SENDING_WORDS = "Sending…"
QUEUED_WORDS = "Queued — goes out by itself"  # offline or quota: why is in the tooltip

EVENT_TEXTS = {
    "state:resolved": "Conversation resolved",
    "state:unresolved": "Conversation reopened",
    "state:pending": "Conversation marked pending",
    "user:blocked": "Visitor blocked",
    "user:unblocked": "Visitor unblocked",
}


@dataclass(frozen=True, slots=True)
class Body:
    """A bubble's content: ``html`` for its text part; ``media`` names the placeholder box of
    an image or animation (None: no box) and ``target`` is the URL a click on the box opens
    (only set when ``allowed_link`` accepts it); ``icon`` ("file" or "audio") is painted
    beside the text; ``unsupported`` marks the fallback."""

    html: str
    media: str | None = None
    target: str | None = None
    icon: str | None = None
    unsupported: bool = False


FALLBACK = Body(f"<i>{escape(UNSUPPORTED)}</i>", unsupported=True)


def body_of(kind: Any, content: Any) -> Body:
    """The Body for a message of type ``kind`` (events are drawn as lines: see event_text)."""
    try:
        return _build(kind, content)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError):
        # The builders check types; this is the backstop that keeps a paint from raising.
        log.warning("unrenderable %s message content", str(kind)[:40], exc_info=True)
        return FALLBACK


def _build(kind: Any, content: Any) -> Body:
    if kind in ("text", "note"):
        return Body(safe_html(content)) if isinstance(content, str) else FALLBACK
    builder = _BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is not None and isinstance(content, Mapping):
        return builder(content)
    # Unknown type (or a known one with the wrong shape): show its text if it has one.
    if isinstance(content, str) and builder is None:
        return Body(safe_html(content))
    if isinstance(content, Mapping) and isinstance(content.get("text"), str):
        return Body(safe_html(content["text"]))
    return FALLBACK


def event_text(content: Any) -> str:
    """The plain text of an event line (painted with drawText, so it is not HTML)."""
    if isinstance(content, str):
        return _clip(content) or "Event"
    if not isinstance(content, Mapping):
        return "Event"
    text = _text(content, "text")
    if text:
        return text
    namespace = _text(content, "namespace")
    return EVENT_TEXTS.get(namespace, namespace or "Event")


def file_name_of(url: Any) -> str:
    """The last path segment of a URL, decoded ("" when there is none)."""
    if not isinstance(url, str):
        return ""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return _clip(unquote(path.rstrip("/").rsplit("/", 1)[-1]))


def human_size(size: Any) -> str:
    """"532 B", "12.4 kB", "3.1 MB"; "" when not a usable number."""
    if isinstance(size, bool) or not isinstance(size, int | float) or not 0 <= size < 1e18:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return ""  # unreachable; keeps mypy content


def media_hint(state: str, kind: str) -> tuple[str, bool]:
    """The placeholder's second line for a loader ``state``, and whether it names an action
    (painted in the link colour)."""
    text, actionable = _HINTS.get(state, ("", False))
    noun = "animation" if kind == "animation" else "image"
    return text.format(kind=noun, Kind=noun.capitalize()), actionable


def first_link(body: Body) -> str | None:
    """The first URL a bubble would open: its media's, else the first link of its text."""
    if body.target and allowed_link(body.target):
        return body.target
    for found in _HREF.finditer(body.html):
        url = html.unescape(found.group(1))
        if allowed_link(url):
            return url
    return None


def footer_parts(msg: Message, tz: tzinfo | None) -> list[Part]:
    """The footer, left to right: "edited", the time, then ticks (operator messages: one when
    sent, two when delivered, two in the link colour when read), or the local echo's state."""
    parts: list[Part] = []
    if msg.edited:
        parts.append(("muted", "edited"))
    if msg.status is MessageStatus.PENDING:
        return [*parts, ("clock", ""), ("muted", SENDING_WORDS)]
    if msg.status is MessageStatus.QUEUED:  # waits: an icon and words (why: the tooltip)
        return [*parts, ("queued", ""), ("status", QUEUED_WORDS)]
    if msg.status is MessageStatus.FAILED:  # the client's words ("Not sent: …"), the action
        why = one_line(msg.error, 300) or "Failed"
        return [*parts, ("alert", ""), ("error", why), ("error", "— retry")]
    when = clock_time(msg.timestamp, tz)
    if when:
        parts.append(("muted", when))
    if msg.from_ == "operator" and msg.type != "note":  # visitors never see notes
        parts.append(("read", "") if msg.read else
                     ("ticks2", "") if msg.delivered else ("ticks1", ""))
    return parts


def status_words(msg: Message) -> str:
    """A local echo's state in words, for screen readers and tooltips ("" once sent)."""
    if msg.status is MessageStatus.PENDING:
        return SENDING_WORDS
    if msg.status is MessageStatus.QUEUED:
        return QUEUED_WORDS
    if msg.status is MessageStatus.FAILED:
        return f"{one_line(msg.error, 300) or 'Failed'} — retry"
    return ""


# ---- builders (content is a Mapping) ---------------------------------------------------------


def _file(content: Mapping[str, Any]) -> Body:
    url = content.get("url")
    name = _text(content, "name") or file_name_of(url) or "file"
    mime = _text(content, "type")
    details = " · ".join(part for part in (mime, human_size(content.get("size"))) if part)
    lines = [f"<b>{escape(name)}</b>"]
    lines.append(" · ".join(part for part in (escape(details), _download(url)) if part))
    if mime.lower().startswith("image/"):
        return Body("<br>".join(lines), media=name, target=_target(url))
    return Body("<br>".join(lines), icon="file")


def _animation(content: Mapping[str, Any]) -> Body:
    url = content.get("url")
    name = file_name_of(url) or "animation"
    return Body(link(url, "Open animation") if allowed_link(url) else "", media=name,
                target=_target(url))


def _audio(content: Mapping[str, Any]) -> Body:
    length = duration(content.get("duration"))
    title = "<b>Audio message</b>" + (f" · {length}" if length else "")
    download = _download(content.get("url"))
    return Body(title + (f"<br>{download}" if download else ""), icon="audio")


def _picker(content: Mapping[str, Any]) -> Body:
    lines = [safe_html(_text(content, "text"))] if _text(content, "text") else []
    if content.get("required") is True:
        lines.append("<i>(required)</i>")
    choices = [c for c in _items(content.get("choices")) if _text(c, "label", "value")]
    for choice in choices[:MAX_ITEMS]:
        label = _text(choice, "label", "value")
        mark = "☑" if choice.get("selected") is True else "☐"
        action = choice.get("action")
        target = action.get("target") if isinstance(action, Mapping) else None
        shown = link(target, label) if isinstance(target, str) else escape(label)
        lines.append(f"{mark} {shown}")
    lines.extend(_more(len(choices)))
    return Body("<br>".join(lines)) if lines else FALLBACK


def _field(content: Mapping[str, Any]) -> Body:
    lines = []
    if _text(content, "text"):
        lines.append(f"<b>{escape(_text(content, 'text'))}</b>")
    if _text(content, "explain"):
        lines.append(f"<i>{escape(_text(content, 'explain'))}</i>")
    value = _text(content, "value")
    lines.append(f"Answer: {escape(value)}" if value else "<i>No answer yet</i>")
    return Body("<br>".join(lines))


def _carousel(content: Mapping[str, Any]) -> Body:
    lines = [safe_html(_text(content, "text"))] if _text(content, "text") else []
    targets = _items(content.get("targets"))
    for target in targets[:MAX_ITEMS]:
        card = []
        if _text(target, "title"):
            card.append(f"<b>{escape(_text(target, 'title'))}</b>")
        if _text(target, "description"):
            card.append(escape(_text(target, "description")))
        image = file_name_of(target.get("image"))
        if image:
            card.append(f"<i>[image: {escape(image)}]</i>")
        actions = [link(a.get("url"), _text(a, "label") or "Open")
                   for a in _items(target.get("actions"))[:MAX_ITEMS]]
        if actions:
            card.append(" · ".join(actions))
        if card:
            lines.append("<br>".join(card))
    lines.extend(_more(len(targets)))
    return Body("<br><br>".join(lines)) if lines else FALLBACK


_BUILDERS = {
    "file": _file,
    "animation": _animation,
    "audio": _audio,
    "picker": _picker,
    "field": _field,
    "carousel": _carousel,
}


# ---- helpers ---------------------------------------------------------------------------------


def _text(mapping: Mapping[str, Any], *keys: str) -> str:
    """The first of ``keys`` holding a string (numbers are shown too), clipped; else ""."""
    for key in keys:
        value = mapping.get(key)
        if isinstance(value, str) and value:
            return _clip(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return ""


def _items(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a list (other entries dropped); [] when not a list."""
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _more(count: int) -> list[str]:
    return [f"<i>… and {count - MAX_ITEMS} more</i>"] if count > MAX_ITEMS else []


def _download(url: Any) -> str:
    """A "Download" link, or nothing when the URL is not one we would open."""
    return link(url, "Download") if allowed_link(url) else ""


def _target(url: Any) -> str | None:
    return url if allowed_link(url) else None


def _clip(text: str) -> str:
    return text if len(text) <= MAX_FIELD else text[:MAX_FIELD] + "…"

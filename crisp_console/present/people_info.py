"""What the people panel shows, computed without Qt: the visitor's place and local time, device,
languages and network lines, browsed pages and segments (custom-data values: data_values.py;
past conversations: past_conversations.py).

Everything here reads untrusted payloads (conversation meta, people profiles): wrong types
are skipped, never raised, and every string meant for one line goes through ``one_line()``.
Names of countries and languages come from a callable the widget passes (Qt's QLocale knows
them all); the default shows the code itself.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from crisp_console.core import Conversation, Person
from crisp_console.present.plain import one_line
from crisp_console.present.timefmt import relative_time

Namer = Callable[[str], str]
T = TypeVar("T")

# ConversationDetails.denied sections -> the note's accessible name; the first three have no
# section of their own (notes under the header), the others replace one (IN_PLACE).
DENIED_NAMES = {"events": "Conversation events unavailable",
                "data": "Contact data unavailable", "person_events": "Contact events unavailable",
                "pages": "Pages browsed unavailable", "profile": "Contact profile unavailable",
                "past_conversations": "Past conversations unavailable"}
IN_PLACE = {"pages": "pages", "notepad": "profile", "past": "past_conversations"}
MAX_PAGES = 50  # pages browsed kept and shown, newest first
MAX_SEGMENT = 64  # characters of one segment
MAX_OFFSET = 14 * 60  # minutes: the widest real UTC offset (Kiribati)
# The sandbox (dataset_text.CITIES, simulator.PLACES) sends minutes EAST of UTC (Paris: 60).
# crisp-api.md leaves the sign UNCONFIRMED; browsers' getTimezoneOffset() is the opposite
# (Paris: -60). Flip this one constant if real Crisp payloads turn out to be west-positive.
TIMEZONE_EAST_POSITIVE = True
SEPARATOR = " · "
STATE_LABELS = {"pending": "Pending", "unresolved": "Unresolved", "resolved": "Resolved"}

class Pending(Generic[T]):
    """The last value a widget asked for, until the store shows it.

    A second edit made before the first one's echo arrives must build on the first, or it
    would undo it. The store is the truth: once it shows the value, or ``ttl`` seconds later
    (the request failed), edits build on what the store shows again.
    """

    def __init__(self, ttl: float = 10.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._monotonic = monotonic
        self._value: T | None = None
        self._deadline = 0.0

    def sent(self, value: T) -> None:
        self._value, self._deadline = value, self._monotonic() + self._ttl

    def base(self, shown: T) -> T:
        """What the next edit starts from."""
        if self._value is None or self._monotonic() > self._deadline:
            self._value = None
            return shown
        return self._value

    def seen(self, shown: T) -> None:
        """The store now shows ``shown``: done waiting if it is what we asked for."""
        if self._value is not None and self._value == shown:
            self._value = None

    def clear(self) -> None:
        self._value = None


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


# ---- where and when ------------------------------------------------------------------------


def device_of(meta: Mapping[str, Any]) -> Mapping[str, Any]:
    return _map(meta.get("device"))


def timezone_offset(meta: Mapping[str, Any], person: Mapping[str, Any]) -> int | None:
    """The visitor's UTC offset in minutes east of UTC: the session's device first (it is
    live), then the contact's profile; None when neither has a plausible one."""
    for value in (device_of(meta).get("timezone"), person.get("timezone")):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_OFFSET:
            return value if TIMEZONE_EAST_POSITIVE else -value
    return None


def utc_label(offset: int) -> str:
    """"UTC", "UTC+1", "UTC-8", "UTC+5:30"."""
    if offset == 0:
        return "UTC"
    hours, minutes = divmod(abs(offset), 60)
    sign = "+" if offset > 0 else "-"
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def local_clock(offset: int, now_ms: int) -> str:
    """The wall-clock time ("14:32") at ``offset`` minutes east of UTC."""
    then = datetime.fromtimestamp(now_ms / 1000, UTC) + timedelta(minutes=offset)
    return f"{then.hour:02d}:{then.minute:02d}"


def local_time_label(offset: int | None, now_ms: int) -> str:
    """"14:32 (UTC+1)": the clock first, so a narrow panel cuts the offset, never the time;
    "" without an offset."""
    if offset is None:
        return ""
    return f"{local_clock(offset, now_ms)} ({utc_label(offset)})"


def geolocation_of(meta: Mapping[str, Any], person: Mapping[str, Any]) -> Mapping[str, Any]:
    geo = _map(device_of(meta).get("geolocation"))
    return geo if geo else _map(person.get("geolocation"))


def place(geo: Mapping[str, Any], country_name: Namer = str) -> str:
    """"Paris, France": the city (or the region without one) and the country's name."""
    town = one_line(geo.get("city"), 80) or one_line(geo.get("region"), 80)
    code = one_line(geo.get("country"), 8)
    country = one_line(country_name(code), 80) if code else ""
    return ", ".join(part for part in (town, country) if part)


def place_line(meta: Mapping[str, Any], person: Mapping[str, Any],
               country_name: Namer = str) -> str:
    """"Paris, France", from the live device, else the profile."""
    return place(geolocation_of(meta, person), country_name)


def local_time_line(meta: Mapping[str, Any], person: Mapping[str, Any], now_ms: int) -> str:
    """The visitor's local time, "14:32 (UTC+1)" ("" without a time zone). A line of its own
    beside the place, which may be long."""
    return local_time_label(timezone_offset(meta, person), now_ms)


# ---- device, languages, network ------------------------------------------------------------


def _named(part: Any, *, major: bool = False) -> str:
    """"Chrome 124" from ``{name, version, major}``; the major version when ``major``."""
    part = _map(part)
    name = one_line(part.get("name"), 40)
    version = one_line(part.get("major"), 16) if major else ""
    version = version or one_line(part.get("version"), 16)
    if major and version.endswith(".0"):
        version = version[:-2]
    return f"{name} {version}".strip() if name else ""


def device_line(meta: Mapping[str, Any]) -> str:
    """"Chrome 124 · Windows 10"."""
    system = _map(device_of(meta).get("system"))
    parts = (_named(system.get("browser"), major=True), _named(system.get("os")))
    return SEPARATOR.join(part for part in parts if part)


def user_agent(meta: Mapping[str, Any]) -> str:
    return one_line(_map(device_of(meta).get("system")).get("useragent"), 500)


def locales_of(meta: Mapping[str, Any], person: Mapping[str, Any]) -> list[str]:
    for source in (device_of(meta).get("locales"), person.get("locales")):
        if isinstance(source, list):
            codes = [one_line(code, 16) for code in source[:10]]
            codes = [code for code in codes if code]
            if codes:
                return codes
    return []


def locales_line(codes: Sequence[str], language_name: Namer = str) -> str:
    """"French, English" (each language once, in the visitor's order of preference)."""
    names: list[str] = []
    for code in codes:
        name = one_line(language_name(code), 40) or code
        if name not in names:
            names.append(name)
    return ", ".join(names)


def network_line(meta: Mapping[str, Any]) -> str:
    """"203.0.113.9 · Orange (AS3215)"."""
    connection = _map(meta.get("connection"))
    isp, asn = one_line(connection.get("isp"), 60), one_line(connection.get("asn"), 16)
    provider = f"{isp} ({asn})" if isp and asn else isp or asn
    return SEPARATOR.join(part for part in (one_line(meta.get("ip"), 64), provider) if part)


# ---- pages browsed -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    title: str
    url: str
    referrer: str
    timestamp: int


def pages_from(payloads: Any) -> list[Page]:
    """``[{page_title, page_url, page_referrer, timestamp}]`` as Pages; malformed items
    (no URL, bad types) are skipped."""
    out: list[Page] = []
    if not isinstance(payloads, list):
        return out
    for item in payloads:
        if not isinstance(item, Mapping):
            continue
        url = _str(item.get("page_url"))
        stamp = item.get("timestamp")
        if not url:
            continue
        out.append(Page(_str(item.get("page_title")), url, _str(item.get("page_referrer")),
                        stamp if isinstance(stamp, int) and not isinstance(stamp, bool) else 0))
    return out


def merge_pages(current: Iterable[Page], new: Iterable[Page], cap: int = MAX_PAGES) -> list[Page]:
    """Both lists as one, newest first, each (URL, time) once, at most ``cap`` pages."""
    seen: set[tuple[str, int]] = set()
    merged: list[Page] = []
    for page in sorted((*new, *current), key=lambda p: p.timestamp, reverse=True):
        key = (page.url, page.timestamp)
        if key not in seen:
            seen.add(key)
            merged.append(page)
    return merged[:cap]


def page_lines(page: Page, now_ms: int) -> tuple[str, str]:
    """(title, "5 min · https://…") for a two-line list item."""
    title = one_line(page.title, 200) or one_line(page.url, 200)
    when = relative_time(page.timestamp, now_ms)
    url = one_line(page.url, 500)
    return title, SEPARATOR.join(part for part in (when, url) if part)


# ---- segments ------------------------------------------------------------------------------


def split_segments(text: str) -> list[str]:
    """What the "add segment" field holds: comma-separated names, trimmed, deduplicated."""
    out: list[str] = []
    for part in text.split(","):
        name = one_line(part, MAX_SEGMENT)
        if name and name not in out:
            out.append(name)
    return out


def with_segments(current: Sequence[str], added: Iterable[str]) -> list[str]:
    out = list(current)
    out.extend(name for name in dict.fromkeys(added) if name not in out)
    return out


def known_segments(conversations: Iterable[Conversation], people: Iterable[Person]) -> list[str]:
    """Every segment the store has seen, the most used first (then by name)."""
    counts: Counter[str] = Counter()
    for conv in conversations:
        counts.update(conv.segments)
    for person in people:
        counts.update(person.segments)
    return sorted(counts, key=lambda name: (-counts[name], name))

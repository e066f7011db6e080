"""Save and restore a sandbox world as one JSON document (gzip when the name ends in .gz).

Format (``"version": 1``): a top-level object with ``token``, ``plugin_schema``, ``websites``,
``operators``, ``people``, ``client_fingerprints``, ``removed_websites``, ``rng_state`` (so ids
made after a restore continue the same sequence) and ``conversations``. To keep a million
messages small on disk and in memory, each message is an array in the order of
``message_fields`` whose ``user`` indexes the ``users`` table and whose strings and ``content``
index the ``values`` table. Loading restores the sharing the dataset relies on: one user dict
per operator, one object per pooled phrase or rich content, shared read-only metas parts.

The tables are written before the conversations, and the loader converts conversations one
at a time as it parses them, so loading never holds the whole parsed document at once.
Writes are atomic (temporary file in the same directory, then ``os.replace``): a crash mid-way
leaves the previous snapshot intact. An unreadable or malformed file raises ``ValueError``
naming the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import gzip
import json
import os
import random
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crisp_console.sandbox.json_stream import NotAnObject, parse_object
from crisp_console.sandbox.model import (
    Conversation,
    Message,
    Operator,
    Person,
    Website,
    index_fingerprints,
)
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.world import PluginToken

VERSION = 1
FORMAT = "crisp-console sandbox snapshot"
MESSAGE_FIELDS = ("type", "from", "origin", "content", "fingerprint", "timestamp", "user",
                  "read", "delivered", "edited", "translated", "automated", "stamped",
                  "mentions", "references", "properties")
_CONV_SKIP = ("messages", "by_fp", "visitor")  # stored apart (or rebuilt)
_CHUNK = 500  # conversations serialised per write
# Nested parts the dataset shares between records (read-only by convention: mutations
# replace them); equal ones are shared again on load.
_SHARED_DEVICE = ("capabilities", "geolocation", "system", "locales")
_SHARED_PERSON = ("geolocation", "locales", "employment")


# ---- dump ----------------------------------------------------------------------------------


class _Interner:
    """Index values into a table: strings by value, other objects by identity."""

    def __init__(self) -> None:
        self.table: list[Any] = []
        self._by_value: dict[str, int] = {}
        self._by_id: dict[int, int] = {}

    def index(self, value: Any) -> int:
        if isinstance(value, str):
            idx = self._by_value.get(value)
            if idx is None:
                idx = self._by_value[value] = len(self.table)
                self.table.append(value)
            return idx
        key = id(value)  # the value lives in the state for the whole dump: ids are stable
        idx = self._by_id.get(key)
        if idx is None:
            idx = self._by_id[key] = len(self.table)
            self.table.append(value)
        return idx


def _fields(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip}


def _dumps(obj: Any) -> str:
    # ASCII: one emoji would make the loader's decoded str 4 bytes per character.
    return json.dumps(obj, separators=(",", ":"))


def _chunks(state: SandboxState) -> Iterator[str]:
    """The document as text pieces: head and tables first, then conversations streamed."""
    users, values = _Interner(), _Interner()
    user, val = users.index, values.index
    for conv in state.conversations.values():  # first pass: fill the tables
        user(conv.visitor)
        for m in conv.messages:
            val(m.type), val(m.from_), val(m.origin), val(m.content), user(m.user)
            val(m.read), val(m.delivered)
    rng_version, rng_internal, rng_gauss = state.rng.getstate()
    head = {
        "version": VERSION,
        "format": FORMAT,
        "message_fields": list(MESSAGE_FIELDS),
        "token": _fields(state.token),
        "plugin_schema": state.plugin_schema,
        "rng_state": [rng_version, list(rng_internal), rng_gauss],
        "websites": [_fields(w) for w in state.websites.values()],
        "operators": [_fields(o) for o in state.operators],
        "people": [_fields(p) for p in state.people.values()],
        "removed_websites": state.removed_websites,
        "bound_websites": state.bound_websites,
        "client_fingerprints": sorted([s, f] for s, f in state.client_fingerprints),
        "users": users.table,
        "values": values.table,
    }
    yield _dumps(head)[:-1] + ',"conversations":['
    parts: list[str] = []
    for n, conv in enumerate(state.conversations.values()):
        doc = _fields(conv, _CONV_SKIP)
        doc["visitor"] = user(conv.visitor)
        doc["messages"] = [
            [val(m.type), val(m.from_), val(m.origin), val(m.content), m.fingerprint,
             m.timestamp, user(m.user), val(m.read), val(m.delivered), m.edited,
             m.translated, m.automated, m.stamped, m.mentions, m.references, m.properties]
            for m in conv.messages
        ]
        parts.append(("," if n else "") + _dumps(doc))
        if len(parts) >= _CHUNK:
            yield "".join(parts)
            parts.clear()
    yield "".join(parts)
    yield "]}"


def dump(state: SandboxState, path: Path | str) -> None:
    """Write ``state`` to ``path`` atomically; gzip-compressed when the name ends in .gz."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                    dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            if target.name.endswith(".gz"):
                # mtime=0: the same world always gives the same bytes. Level 1: a snapshot
                # is written at shutdown, where speed matters more than a few MB.
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as zipped:
                    _write(zipped.write, state)
            else:
                _write(raw.write, state)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _write(write: Callable[[bytes], object], state: SandboxState) -> None:
    for chunk in _chunks(state):
        write(chunk.encode())


# ---- load ----------------------------------------------------------------------------------


def load(path: Path | str) -> SandboxState:
    """Read a snapshot written by ``dump`` (compressed or not, whatever its name)."""
    source = Path(path)
    raw = source.read_bytes()  # a missing file is a FileNotFoundError, not a broken snapshot
    try:
        if raw[:2] == b"\x1f\x8b":  # gzip magic: trust the content, not the name
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise ValueError(f"{source}: not a readable sandbox snapshot ({exc})") from None
    del raw  # for 1M messages the bytes alone are ~300 MB
    enabled = gc.isenabled()
    gc.disable()  # millions of acyclic containers: collections would only burn time
    try:
        loader = _Loader()
        parse_object(text, loader.field, "conversations")
        return loader.state(source)
    except NotAnObject:
        raise ValueError(f"{source}: not a sandbox snapshot (not a JSON object)") from None
    except _NotSnapshot as exc:
        raise ValueError(f"{source}: {exc}") from None
    except (KeyError, TypeError, IndexError, ValueError, AttributeError) as exc:
        # json.JSONDecodeError is a ValueError.
        raise ValueError(f"{source}: malformed sandbox snapshot "
                         f"({type(exc).__name__}: {exc})") from exc
    finally:
        if enabled:
            gc.enable()


class _NotSnapshot(Exception):
    """A readable file that is not (this version of) a sandbox snapshot."""


class _Loader:
    """Collects the members of a snapshot; converts conversations as soon as it can."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {}
        self.pending: list[dict[str, Any]] = []  # conversations seen before their tables
        self.conversations: list[Conversation] = []
        self._shared: dict[str, Any] = {}  # by repr
        self._strings: dict[str, str] = {}

    def field(self, key: str, value: Any) -> None:
        if key != "conversations[]":
            self.doc[key] = value
        elif self._ready():
            self.conversations.append(self._conversation(value))
        else:
            self.pending.append(value)

    def _ready(self) -> bool:
        doc = self.doc
        if "format" in doc:
            self._check_header()
        return all(k in doc for k in ("format", "version", "message_fields", "users", "values"))

    def _check_header(self) -> None:
        doc = self.doc
        if doc["format"] != FORMAT:
            raise _NotSnapshot(f"not a sandbox snapshot (format {doc['format']!r})")
        if "version" in doc and doc["version"] != VERSION:
            raise _NotSnapshot(f"unsupported sandbox snapshot version {doc['version']!r} "
                               f"(this sandbox reads version {VERSION})")
        if "message_fields" in doc and list(doc["message_fields"]) != list(MESSAGE_FIELDS):
            raise ValueError(f"unexpected message_fields {doc['message_fields']!r}")

    def share(self, value: Any) -> Any:
        """An equal object loaded before, if any (repr is a cheap exact key for JSON data)."""
        if not isinstance(value, dict | list) or not value:
            return value
        return self._shared.setdefault(repr(value), value)

    def _conversation(self, c: dict[str, Any]) -> Conversation:
        if not isinstance(c, dict):
            raise TypeError(f"a conversation is {type(c).__name__}, not an object")
        users, values = self.doc["users"], self.doc["values"]
        rows = c.pop("messages")
        visitor = users[c.pop("visitor")]
        conv = Conversation(**c)
        conv.visitor = visitor
        conv.messages = [_message(row, users, values) for row in rows]
        conv.by_fp = index_fingerprints(conv.messages)
        meta = conv.meta
        device = meta.get("device")
        if isinstance(device, dict):
            for key in _SHARED_DEVICE:
                if key in device:
                    device[key] = self.share(device[key])
        if "connection" in meta:
            meta["connection"] = self.share(meta["connection"])
        if "origin" in meta:
            meta["origin"] = self.share_str(meta["origin"])
        for page in conv.pages:
            for key in ("page_title", "page_url", "page_referrer"):
                if key in page:
                    page[key] = self.share_str(page[key])
        for event in conv.events:
            if "data" in event:
                event["data"] = self.share(event["data"])
        return conv

    def share_str(self, value: Any) -> Any:
        """One object per distinct string (JSON parsing makes one per occurrence)."""
        return self._strings.setdefault(value, value) if isinstance(value, str) else value

    def _person(self, p: Any) -> Person:
        if not isinstance(p, dict):
            raise TypeError(f"a person is {type(p).__name__}, not an object")
        person = Person(**p)
        for key in _SHARED_PERSON:
            if key in person.person:
                person.person[key] = self.share(person.person[key])
        person.company = self.share(person.company)
        for event in person.events:
            if "data" in event:
                event["data"] = self.share(event["data"])
        return person

    def state(self, source: Path) -> SandboxState:
        doc = self.doc
        if doc.get("format") != FORMAT:
            raise _NotSnapshot(f"not a sandbox snapshot (no {FORMAT!r} marker)")
        self._check_header()
        if "version" not in doc:
            raise _NotSnapshot("not a sandbox snapshot (no version)")
        version, internal, gauss = doc["rng_state"]
        rng = random.Random()
        rng.setstate((version, tuple(internal), gauss))
        state = SandboxState(token=_record(PluginToken, doc["token"]),
                             plugin_schema=doc["plugin_schema"], rng=rng)
        for w in doc["websites"]:
            website = _record(Website, w)
            state.websites[website.website_id] = website
        state.operators.extend(_record(Operator, o) for o in doc["operators"])
        for p in doc["people"]:
            person = self._person(p)
            state.people[person.people_id] = person
            if person.email:
                key = (person.website_id, person.email.lower())
                state.people_by_email[key] = person.people_id
        state.removed_websites = {str(k): int(v) for k, v in doc["removed_websites"].items()}
        # Optional: written since version 1 files gained it; older ones simply lack it.
        bound = doc.get("bound_websites", {})
        if not isinstance(bound, dict):
            raise ValueError("bound_websites should be an object")
        state.bound_websites = {str(k): int(v) for k, v in bound.items()}
        state.client_fingerprints = {(str(s), int(f)) for s, f in doc["client_fingerprints"]}
        if "conversations" in doc:
            raise ValueError("conversations should be an array")
        convs = self.conversations + [self._conversation(c) for c in self.pending]
        for conv in convs:
            state.conversations[conv.session_id] = conv
        return state


def _record(cls: Callable[..., Any], doc: Any) -> Any:
    if not isinstance(doc, dict):
        raise TypeError(f"a {getattr(cls, '__name__', cls)} is {type(doc).__name__}, "
                        "not an object")
    return cls(**doc)


def _message(row: list[Any], users: list[Any], values: list[Any]) -> Message:
    (kind, from_, origin, content, fingerprint, timestamp, user, read, delivered, edited,
     translated, automated, stamped, mentions, references, properties) = row
    if not (isinstance(fingerprint, int) and isinstance(timestamp, int)):
        raise TypeError(f"message fingerprint/timestamp should be integers: {row!r}")
    msg = Message(type=values[kind], from_=values[from_], origin=values[origin],
                  content=values[content], fingerprint=fingerprint, timestamp=timestamp,
                  user=users[user], mentions=mentions, automated=automated,
                  translated=translated, references=references, properties=properties)
    msg.read = values[read]
    msg.delivered = values[delivered]
    msg.edited = edited
    msg.stamped = stamped
    return msg

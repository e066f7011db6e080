"""The team's settings kept in each website's plugin subscription settings (issue 5 §4).

The console owns three keys there (resources/schemas/plugin-settings.schema.json): the team's
``canned_responses`` and the composer's ``default_reply_mode``. Any other key
belongs to the plugin and is never touched: saving canned responses is a PATCH (Update
Subscription Settings) of that one key.

Settings are validated with jsonschema and cached per website. ``load_all`` takes them from
the store, where start-up put them (websites.py reads each website's subscription settings;
a warm start restores them and its "websites since" brings the changed ones) and follows the
store's changes of them from then on: it spends no request. ``load`` reads them with Get
Subscription Settings and puts them in the store. What the server holds is untrusted: an
invalid part is logged and listed in ``WebsiteSettings.problems`` and falls back to its
default; a bad canned response is dropped on its own, so one broken row does not hide the
team's other replies. Nothing here raises on bad server data. ``plugin:settings:saved`` for a
website reloads it on every open console.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict, cast

from crisp_console.client.console import ConsoleClient
from crisp_console.client.health import team_settings_of
from crisp_console.core import WEBSITES, Change, ChangeKind
from crisp_console.errors import CrispError, NotAllowedError
from crisp_console.settings import resource_path

if TYPE_CHECKING:
    import jsonschema

log = logging.getLogger("crisp_console.client.team_settings")

CANNED_KEY = "canned_responses"
MAX_PROBLEM = 160  # characters of one problem line: jsonschema quotes the offending value

ReplyMode = Literal["reply", "note"]


class CannedItem(TypedDict):
    """One canned response as stored in the settings (canned.schema.json)."""

    shortcut: str
    title: str
    text: str
    locale: NotRequired[str]


@dataclass(frozen=True)
class WebsiteSettings:
    """The console's view of one website's plugin settings, defaults where they were invalid.

    ``problems`` says, in words, what was ignored and why (empty when all was valid)."""

    website_id: str
    canned: tuple[CannedItem, ...] = ()
    default_reply_mode: ReplyMode = "reply"
    problems: tuple[str, ...] = ()


class InvalidSettingsError(CrispError):
    """What the console was asked to save breaks the schema; nothing was sent."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


SettingsListener = Callable[[WebsiteSettings], None]


def load_validator() -> jsonschema.Draft202012Validator:
    """The plugin-settings schema, its ``$ref`` to canned.schema.json resolved locally."""
    import jsonschema  # 50 ms of imports: when the settings are first read, after the paint
    from referencing import Registry, Resource

    schema = json.loads(resource_path("schemas", "plugin-settings.schema.json")
                        .read_text(encoding="utf-8"))
    canned = json.loads(resource_path("schemas", "canned.schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(canned["$id"],
                                                       Resource.from_contents(canned))
    return jsonschema.Draft202012Validator(schema, registry=registry)


def canned_item(item: Mapping[str, Any]) -> CannedItem:
    """The stored shape of a response given as a mapping (e.g. ``dataclasses.asdict`` of the
    UI's CannedResponse): the three fields, and ``locale`` only when it is set."""
    out: dict[str, Any] = {key: item.get(key, "") for key in ("shortcut", "title", "text")}
    if item.get("locale"):
        out["locale"] = item["locale"]
    return cast(CannedItem, out)


# What each field must be, in words (canned.schema.json's rules) for per-row messages.
FIELD_RULES = {
    "shortcut": "lowercase letters, digits, _ and -, 1 to 32 of them",
    "title": "1 to 120 characters",
    "text": "1 to 10,000 characters",
    "locale": "a language tag such as en or pt-BR, or nothing",
}


def item_problems(items: Sequence[CannedItem],
                  validator: jsonschema.Draft202012Validator) -> list[dict[str, str]]:
    """Per item, field -> what is wrong in words ({} for a valid item). A shortcut already
    used by an earlier item is flagged on the later one."""
    out: list[dict[str, str]] = [{} for _ in items]
    for error in validator.iter_errors({CANNED_KEY: list(items)}):
        path = list(error.absolute_path)
        if len(path) > 1 and isinstance(path[1], int):
            field = str(path[2]) if len(path) > 2 else "item"
            out[path[1]].setdefault(field, FIELD_RULES.get(field, error.message))
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item["shortcut"] in seen:
            out[i].setdefault("shortcut", f"!{item['shortcut']} is already used above")
        seen.add(item["shortcut"])
    return out


def _where(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the settings"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_PROBLEM else text[:MAX_PROBLEM - 1] + "…"


def parse_settings(website_id: str, settings: Any,
                   validator: jsonschema.Draft202012Validator) -> WebsiteSettings:
    """Validate ``settings`` (the server's object) and keep every part that is valid."""
    problems: list[str] = []
    bad_keys: set[str] = set()
    bad_items: set[int] = set()
    for error in validator.iter_errors(settings):
        path = list(error.absolute_path)
        problems.append(_clip(f"{_where(path)}: {error.message}"))
        if not path:
            return WebsiteSettings(website_id, problems=tuple(problems))
        if path[0] == CANNED_KEY and len(path) > 1 and isinstance(path[1], int):
            bad_items.add(path[1])
        else:
            bad_keys.add(str(path[0]))
    canned: list[CannedItem] = []
    if CANNED_KEY not in bad_keys:
        seen: set[str] = set()
        for i, item in enumerate(settings.get(CANNED_KEY, [])):
            if i in bad_items:
                continue
            if item["shortcut"] in seen:
                problems.append(f"{CANNED_KEY}[{i + 1}]: !{item['shortcut']} is defined "
                                "twice; the first one is kept")
                continue
            seen.add(item["shortcut"])
            canned.append(canned_item(item))
    mode = settings.get("default_reply_mode", "reply")
    return WebsiteSettings(
        website_id,
        canned=tuple(canned),
        default_reply_mode="reply" if "default_reply_mode" in bad_keys else mode,
        problems=tuple(problems),
    )


class TeamSettings:
    """Per-website team settings of a started ConsoleClient, cached and kept live.

    ``await load(website_id)`` (or ``load_all()``) after ``client.start()``; then read
    ``get``/``canned``; listeners hear every change, including the ones another console saved
    (``plugin:settings:saved``) and the ones a websites refresh put in the store (after
    ``load_all``). ``close()`` detaches from the client."""

    def __init__(self, client: ConsoleClient, *,
                 validator: jsonschema.Draft202012Validator | None = None) -> None:
        self._api = client.api
        self._websites = client.websites
        self._monitor = client.monitor
        self._store = client.store
        self._tasks = client.tasks
        self._validator_given = validator  # None: the schema's, built on first use
        self._cache: dict[str, WebsiteSettings] = {}
        self._raw: dict[str, dict[str, Any]] = {}  # the server's settings, for re-parsing
        self._started: dict[str, int] = {}  # website -> number of the newest load or save
        self._applied: dict[str, int] = {}  # website -> number of the result on show
        self._stale: set[str] = set()  # websites a settings event asked to reload
        self._listeners: list[SettingsListener] = []
        self._unlisten = client.add_event_listener(self._on_event)
        self._unfollow: Callable[[], None] | None = None  # the store's websites, once loaded

    @property
    def _validator(self) -> jsonschema.Draft202012Validator:
        """Built when settings are first read or saved (after the first frame)."""
        if self._validator_given is None:
            self._validator_given = load_validator()
        return self._validator_given

    def close(self) -> None:
        """Stop following: no more reloads, and a reload still out does not apply."""
        self._stale.clear()
        for website_id in self._cache:
            self._applied[website_id] = self._started.get(website_id, 0)
        self._unlisten()
        self._unlisten = lambda: None
        if self._unfollow is not None:
            self._unfollow()
            self._unfollow = None

    # ---- reading ---------------------------------------------------------------------------

    def get(self, website_id: str) -> WebsiteSettings | None:
        return self._cache.get(website_id)

    def canned(self, website_id: str) -> list[CannedItem]:
        """The team's responses for that website (empty when unknown or invalid)."""
        settings = self._cache.get(website_id)
        return list(settings.canned) if settings else []

    def problems(self, website_id: str) -> tuple[str, ...]:
        settings = self._cache.get(website_id)
        return settings.problems if settings else ()

    def add_listener(self, listener: SettingsListener) -> Callable[[], None]:
        """Called with a website's new settings whenever they change; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def load(self, website_id: str) -> WebsiteSettings:
        """Get Subscription Settings for ``website_id``. API and network errors propagate
        (CrispError); invalid settings do not, they come back as ``problems``. A 403 also
        marks ``client.health.denied[team_settings_of(website_id)]`` with words."""
        number = self._next(website_id)
        try:
            data = await self._api.subscription_settings(website_id,
                                                         self._websites.plugin_id)
        except NotAllowedError as exc:  # 403: the feature is off, said where it lives
            self._websites.deny_team_settings(website_id, exc)
            raise
        self._monitor.allow(team_settings_of(website_id))
        raw = data.get("settings") if isinstance(data, dict) else data
        settings = self._apply(website_id, number, {} if raw is None else raw)  # None: never saved
        if raw is None or isinstance(raw, dict):  # not what a buggy back end wrote instead
            self._keep(website_id)
        return settings

    async def load_all(self) -> dict[str, WebsiteSettings]:
        """Every subscribed website's settings as the store holds them, without a request;
        from then on, what a websites refresh changes in the store shows too. A website
        whose settings Crisp refused (``health.denied``) is left out: the refusal is on show,
        and a ``plugin:settings:saved`` for it still reloads it."""
        loaded: dict[str, WebsiteSettings] = {}
        if self._unfollow is None:
            self._unfollow = self._store.subscribe(self._on_store)
        for website_id in self._websites.ids():
            if self._refused(website_id):
                self._started.setdefault(website_id, 0)  # followed: its events reload it
                continue
            loaded[website_id] = self._apply(website_id, self._next(website_id),
                                             self._store.websites[website_id].settings)
        return loaded

    # ---- writing ---------------------------------------------------------------------------

    async def save_canned(self, website_id: str,
                          items: Iterable[Mapping[str, Any]]) -> WebsiteSettings:
        """Replace the team's canned responses with ``items`` (Update Subscription Settings).

        Raises InvalidSettingsError before sending when an item breaks the schema or a
        shortcut repeats, and the API's errors (ValidationError for ``invalid_data``) when
        the server refuses; either way the cache keeps what it had."""
        canned = [canned_item(item) for item in items]
        document = {CANNED_KEY: canned}
        problems = [_clip(f"{_where(e.absolute_path)}: {e.message}")
                    for e in self._validator.iter_errors(document)]
        shortcuts = [item["shortcut"] for item in canned]
        problems += [f"!{s} is defined twice" for s in sorted(set(shortcuts))
                     if shortcuts.count(s) > 1]
        if problems:
            raise InvalidSettingsError(problems)
        number = self._next(website_id)
        await self._api.update_settings(website_id, self._websites.plugin_id, document)
        settings = self._apply(website_id, number, {**self._raw.get(website_id, {}), **document})
        self._keep(website_id)  # the plugin's other keys as they were
        return settings

    # ---- internals -------------------------------------------------------------------------

    def _next(self, website_id: str) -> int:
        number = self._started.get(website_id, 0) + 1
        self._started[website_id] = number
        return number

    def _apply(self, website_id: str, number: int, raw: Any) -> WebsiteSettings:
        """Cache a load's or a save's result unless a newer one is already on show."""
        if number <= self._applied.get(website_id, 0):
            return self._cache[website_id]
        self._applied[website_id] = number
        settings = parse_settings(website_id, raw, self._validator)
        previous = self._cache.get(website_id)
        self._raw[website_id] = raw if isinstance(raw, dict) else {}
        self._cache[website_id] = settings
        if settings.problems and (previous is None or previous.problems != settings.problems):
            log.warning("plugin settings of website %s: %s", website_id,
                        "; ".join(settings.problems))
        if settings != previous:
            for listener in list(self._listeners):
                try:
                    listener(settings)
                except Exception:
                    log.exception("team settings listener failed")
        return settings

    def _refused(self, website_id: str) -> bool:
        return self._monitor.current.denied_for(team_settings_of(website_id)) is not None

    def _keep(self, website_id: str) -> None:
        """Put what is on show in the store (and so in the local cache, for the next start)."""
        raw = self._raw.get(website_id)
        site = self._store.websites.get(website_id)
        if raw is not None and site is not None and site.settings != raw:
            self._store.update_website(website_id, {"settings": raw})

    def _on_store(self, change: Change) -> None:
        """A website's settings changed in the store (a websites refresh read them): show
        them, unless they are what is on show already or Crisp refused them."""
        if change.collection != WEBSITES or change.kind not in (
                ChangeKind.INSERTED, ChangeKind.CHANGED, ChangeKind.RESET):
            return
        if change.kind is ChangeKind.CHANGED and "settings" not in change.fields:
            return
        for website_id in self._websites.ids():
            if not change.concerns(website_id) or self._refused(website_id):
                continue
            settings = self._store.websites[website_id].settings
            if website_id in self._raw and settings == self._raw[website_id]:
                continue
            self._apply(website_id, self._next(website_id), settings)

    def _on_event(self, name: str, payload: Any) -> None:
        """``plugin:settings:saved``: reload that website (REST is the authority; the event's
        settings may be partial). One refresh per website at a time, rerun while stale."""
        if name != "plugin:settings:saved" or not isinstance(payload, dict):
            return
        website_id = payload.get("website_id")
        plugin_id = payload.get("plugin_id")
        if not isinstance(website_id, str) or website_id not in self._started:
            return  # a website nobody asked about: load() will read it fresh
        if plugin_id and self._websites.plugin_id and plugin_id != self._websites.plugin_id:
            return
        self._stale.add(website_id)
        self._tasks.spawn(self._refresh(website_id), f"team-settings {website_id}",
                          key=f"team-settings:{website_id}")

    async def _refresh(self, website_id: str) -> None:
        while website_id in self._stale:
            self._stale.discard(website_id)
            try:
                await self.load(website_id)
            except CrispError as exc:
                log.warning("settings of website %s not reloaded: %s", website_id, exc)

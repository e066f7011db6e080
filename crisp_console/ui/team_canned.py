"""The team's canned responses in the console: each website's plugin settings (TeamSettings)
feed the composer's `!` popup, ahead of the bundled defaults, and the editor saves them back.

When Crisp refused a website's settings (``health.denied[team_settings_of(W)]``), the `!`
popup says so above the bundled responses, and the editor shows the words instead of a
table: saving there would replace the team's responses without having read them.

The console wires it: ``refresh`` when a conversation opens, ``edit`` as the "team.canned"
command, ``default_mode`` as the composer's mode for a conversation without a draft."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

from crisp_console.client import Health, team_settings_of
from crisp_console.client.tasks import TaskOwner
from crisp_console.client.team_settings import TeamSettings, WebsiteSettings
from crisp_console.core import Store
from crisp_console.present.canned import CannedResponse
from crisp_console.present.labels import website_name
from crisp_console.ui.canned import load_canned
from crisp_console.ui.feedback import Feedback
from crisp_console.ui.ports import HealthSource

if TYPE_CHECKING:  # the editor loads when first opened, not at start
    from crisp_console.ui.widgets.canned_editor import CannedEditorDialog

log = logging.getLogger(__name__)


class CannedBox(Protocol):
    """The composer as the canned responses feed it."""

    def set_canned(self, items: Sequence[CannedResponse], notice: str = "") -> None: ...


class TeamCanned:
    def __init__(self, team: TeamSettings, health: HealthSource, store: Store,
                 box: CannedBox, defaults: list[CannedResponse] | None, *,
                 open_conversation: Callable[[], str | None], feedback: Feedback,
                 tasks: TaskOwner, parent: QWidget) -> None:
        """``open_conversation()``: the controller's; ``parent``: the editor's window."""
        self.team = team
        self._health, self._store, self._box = health, store, box
        self._defaults = defaults  # None: the bundled ones, read when first needed
        self._open = open_conversation
        self.feedback, self._tasks, self._parent = feedback, tasks, parent
        self.dialog: CannedEditorDialog | None = None
        self.team.add_listener(self._changed)
        self._refused: str | None = None  # the words for the website the popup is about
        self._unobserve = health.add_health_observer(self._on_health)

    @property
    def defaults(self) -> list[CannedResponse]:
        """The bundled responses (read and validated on first use: jsonschema is not on the
        first frame's path), unless the console was given its own."""
        if self._defaults is None:
            self._defaults = load_canned()
        return self._defaults

    async def load(self) -> None:
        """After the client started: every subscribed website's settings, from the store
        (start-up read them: no request), then kept in step with it."""
        await self.team.load_all()
        problems = [p for wid in self._store.websites for p in self.team.problems(wid)]
        if problems:
            self.feedback.message(f"The team settings have problems: {problems[0]}"
                                  + (f" (+{len(problems) - 1} more)" if len(problems) > 1
                                     else ""), 15_000)
        self.refresh()

    def close(self) -> None:
        self._unobserve()
        self.team.close()

    def default_mode(self, session_id: str) -> str:
        """The team's ``default_reply_mode`` of the conversation's website ("reply" if unset)."""
        conv = self._store.conversations.get(session_id)
        settings = self.team.get(conv.website_id) if conv is not None else None
        return settings.default_reply_mode if settings is not None else "reply"

    def website(self) -> str | None:
        conv = self._store.conversations.get(self._open() or "")
        if conv is not None:
            return conv.website_id
        return next(iter(self._store.websites), None)

    def team_responses(self, website_id: str) -> list[CannedResponse]:
        return [CannedResponse(i["shortcut"], i["title"], i["text"], i.get("locale"))
                for i in self.team.canned(website_id)]

    def responses(self, website_id: str | None) -> list[CannedResponse]:
        team = self.team_responses(website_id) if website_id else []
        taken = {r.shortcut for r in team}  # the team's version of a shortcut wins
        return team + [r for r in self.defaults if r.shortcut not in taken]

    def refused(self, website_id: str | None) -> str | None:
        """Why the team's settings of ``website_id`` are unavailable (None: they are not)."""
        health = self._health.health
        return health.denied_for(team_settings_of(website_id)) if website_id else None

    def refresh(self) -> None:
        wid = self.website()
        self._refused = self.refused(wid)
        self._box.set_canned(self.responses(wid), self._refused or "")

    def _on_health(self, _health: Health) -> None:
        if self.refused(self.website()) != self._refused:
            self.refresh()

    def _changed(self, settings: WebsiteSettings) -> None:
        if settings.website_id == self.website():
            self.refresh()

    def edit(self) -> None:
        wid = self.website()
        if wid is None:
            self.feedback.message("No website to edit canned responses for")
            return
        items = self.team_responses(wid)
        name = website_name(self._store.websites[wid])

        async def save(edited: list[CannedResponse]) -> object:
            return await self.team.save_canned(wid, [asdict(r) for r in edited])

        from crisp_console.ui.widgets.canned_editor import CannedEditorDialog

        self.dialog = CannedEditorDialog(items, save, self._parent, tasks=self._tasks,
                                         title=f"Canned responses of {name}",
                                         unavailable=self.refused(wid) or "")
        self.dialog.open()

"""The reply box under the thread: reply or private note, canned responses, commands, mentions,
editing my last message, per-conversation drafts, typing events and attachments.

It decides what the operator's keys mean and says so with signals; the lead (the controller)
talks to the client and calls back (``take_sent``, ``take_attachments``). Decisions:
- a draft belongs to its conversation: it is stored on every change, written to disk at most
  every ``draft_save_ms`` and on ``bind()``/close, and never carried to another conversation;
- a private note never reveals itself to the visitor: no typing event while writing one (nor
  while editing a sent message);
- ``/note text`` + Enter switches to note mode with "text" to review; ``/resolve`` and
  ``/unassign`` run at once; ``/assign`` and ``/remind`` pass what follows (empty: the lead
  opens a picker); an unknown ``/word`` is refused rather than sent to the visitor (``//``
  sends a slash).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QImage, QKeySequence
from PySide6.QtWidgets import QSizePolicy, QWidget

from crisp_console.present.attachments import NOTE_REFUSAL, caption_placeholder
from crisp_console.present.canned import CannedResponse
from crisp_console.present.composer_text import (
    COMMANDS_BY_NAME,
    Completer,
    Completion,
    interpret,
)
from crisp_console.storage.drafts import MODES, DraftStore, Mode
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.file_drops import FileDrops
from crisp_console.ui.widgets.attachment_bar import Attachment, AttachmentBar
from crisp_console.ui.widgets.attachment_tray import AttachmentTray
from crisp_console.ui.widgets.composer_drafts import DraftKeeper
from crisp_console.ui.widgets.composer_footer import ComposerFooter
from crisp_console.ui.widgets.composer_header import (
    ComposerHeader,
    placeholder,
    send_hint,
    tint_editor,
)
from crisp_console.ui.widgets.layouts import column
from crisp_console.ui.widgets.reply_edit import ReplyEdit
from crisp_console.ui.widgets.typing_indicator import TypingIndicator

LastOwnMessage = Callable[[str], "tuple[int, str] | None"]
_NATIVE = QKeySequence.SequenceFormat.NativeText


class Composer(QWidget):
    """Signals:
        send_requested(str, str, list): text, mode ("reply"|"note"), mentioned user ids
            (notes only). The lead sends, then calls take_sent().
        command_requested(str, str): a name of present.composer_text.COMMANDS and the
            argument ("" if none). For "note" the composer has already switched mode.
        edit_requested(int, str): fingerprint and new text of my message edited with Up.
        typing_changed(bool, str): typing or not, with an excerpt (the lead throttles).
            Emitted while ``session_id()`` is still the conversation concerned: bind() stops
            typing in the old conversation before switching.
        leave_requested: Esc with nothing left to cancel.
        drafts_changed: the set of conversations with a draft changed.

    Attributes:
        editor: the text field (the lead attaches the "composer" actions to it).
        tray: the files the next Enter sends, the text being their caption (``tray.view``
            comes before the reply box in the focus chain: Shift+Tab reaches it).
        attachments: the upload strip.
        header: mode switch, note chip, key hint, edit banner.
        footer: "Attach…", the notice, the send button.
    """

    send_requested = Signal(str, str, list)
    command_requested = Signal(str, str)
    edit_requested = Signal(object, str)  # an int fingerprint: 16 digits overflow a C int
    typing_changed = Signal(bool, str)
    leave_requested = Signal()
    drafts_changed = Signal()

    def __init__(self, registry: CommandRegistry, drafts: DraftStore, *,
                 canned: Sequence[CannedResponse] = (), send_on_enter: bool = True,
                 last_own_message: LastOwnMessage | None = None,
                 typing_idle_ms: int = 5000, draft_save_ms: int = 500,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self._registry = registry
        self._drafts = DraftKeeper(drafts, draft_save_ms, self)
        self._drafts.changed.connect(self.drafts_changed)
        self._default_mode: Callable[[str], str] = lambda _sid: "reply"
        self._completer = Completer()
        self._completer.canned = list(canned)
        self._last_own = last_own_message
        self._session: str | None = None
        self._mode: Mode = "reply"
        self._editing: tuple[int, str] | None = None  # (fingerprint, original text)
        self._typing = TypingIndicator(typing_idle_ms, self)
        self._typing.changed.connect(self.typing_changed)
        self.tray = AttachmentTray(self)  # before the editor: Shift+Tab from it reaches the tray
        self.editor = self._editor(registry, send_on_enter)
        self.attachments = self._attachments(self.editor)
        self.footer = ComposerFooter(self)
        self.footer.attach_clicked.connect(self.open_attach_dialog)
        self.footer.send_clicked.connect(self.request_send)
        toggle = registry.shortcuts("composer.toggle_note")
        self.header = ComposerHeader(QKeySequence(toggle[0]).toString(_NATIVE) if toggle else "",
                                     self)
        self.header.mode_clicked.connect(self._mode_clicked)
        column(self, self.header, self.tray, (self.editor, 1), self.attachments, self.footer,
               margins=(8, 4, 8, 8), spacing=4)
        self.setFocusProxy(self.editor)
        self.bind(None)

    def _editor(self, registry: CommandRegistry, send_on_enter: bool) -> ReplyEdit:
        """The text field: its completions come from here, its intents mean what is below."""
        editor = ReplyEdit(registry, self)
        editor.send_on_enter = send_on_enter
        editor.set_completion_source(lambda trigger: self._completer.entries(
            trigger, note=self._mode == "note", editing=self._editing is not None))
        editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        editor.setMinimumHeight(editor.fontMetrics().lineSpacing() * 2 + 16)
        editor.edited.connect(self._on_edited)
        editor.submit_requested.connect(self.request_send)
        editor.edit_last_requested.connect(self._start_edit)
        editor.cancel_requested.connect(self._on_cancel)
        editor.completion_accepted.connect(self._on_completion)
        return editor

    def _attachments(self, editor: ReplyEdit) -> AttachmentBar:
        """The tray, fed by files and images pasted in the editor or dropped here (and by
        the attach dialog), and the upload strip (which shows the files it refuses)."""
        editor.files_pasted.connect(self.add_files)
        editor.image_pasted.connect(self.add_image)
        FileDrops(self, self.add_files, self.add_image, lambda: self._session is not None)
        bar = AttachmentBar(self)
        self.tray.refused.connect(bar.add_error)
        self.tray.changed.connect(self._update_chrome)
        self.tray.leave_requested.connect(editor.setFocus)
        return bar

    # ---- binding and state ---------------------------------------------------------------------

    def bind(self, session_id: str | None) -> None:
        """Show a conversation's draft (text, mode, cursor at the end); None disables the box.
        The old conversation's draft is already stored; typing there stops first."""
        if session_id is not None and session_id == self._session:
            return
        self._typing.stop()
        self._editing = None  # an unfinished edit is dropped, never moved elsewhere
        self.flush_drafts()
        self._session = session_id
        self._completer.forget()
        self.footer.clear_notice()
        draft = self._drafts.get(session_id)
        if draft is not None:
            self._mode = draft.mode
        else:  # a fresh conversation opens in the team's default mode (plugin settings)
            mode = self._default_mode(session_id) if session_id is not None else "reply"
            self._mode = "note" if mode == "note" else "reply"
        self.editor.set_plain(draft.text if draft is not None else "")
        self.attachments.show_session(session_id)
        self.tray.show_session(session_id)
        self.setEnabled(session_id is not None)
        self._update_chrome()

    def set_default_mode(self, default_mode: Callable[[str], str] | None) -> None:
        """The mode a conversation without a draft opens in (its website's team setting)."""
        self._default_mode = default_mode or (lambda _sid: "reply")

    def session_id(self) -> str | None:
        return self._session

    def mode(self) -> str:
        return self._mode

    def editing(self) -> bool:
        """Up-editing one of my sent messages."""
        return self._editing is not None

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown composer mode {mode!r}")
        if mode == self._mode:
            return
        if self._editing is not None:
            self.footer.say("Finish the edit (Enter) or cancel it (Esc) first")
            return
        self._mode = "note" if mode == "note" else "reply"
        if self._mode == "note":
            self._typing.stop()
        self.editor.refresh_completions()
        self._store_draft()
        self._update_chrome()

    def toggle_mode(self) -> None:
        self.set_mode("reply" if self._mode == "note" else "note")

    def focus_reply(self) -> None:
        self._focus("reply")

    def focus_note(self) -> None:
        self._focus("note")

    def _focus(self, mode: str) -> None:
        if self._editing is None:  # an edit in progress keeps its mode
            self.set_mode(mode)
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def set_canned(self, items: Sequence[CannedResponse], notice: str = "") -> None:
        """The ``!`` entries; ``notice``: why the team's are missing, above them."""
        self._completer.canned = list(items)
        self.editor.set_notice("canned", notice)
        self.editor.refresh_completions()

    def set_operators(self, operators: Sequence[tuple[str, str]]) -> None:
        """(user id, display name) of the operators @ can mention, in the popup's order."""
        self._completer.operators = list(operators)
        self.editor.refresh_completions()

    def set_last_own_message(self, source: LastOwnMessage | None) -> None:
        """Where Up finds my last message; None turns Up-to-edit off (a preference)."""
        self._last_own = source

    def set_send_on_enter(self, on: bool) -> None:
        self.editor.send_on_enter = on
        self._update_chrome()

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self.editor.set_plain(text)
        self._store_draft()
        self._update_chrome()

    def take_sent(self) -> None:
        """The lead accepted the send: the box and the draft are cleared (the mode stays)."""
        self._typing.stop()
        self._completer.forget()
        self.footer.clear_notice()
        self.editor.set_plain("")
        self._store_draft()
        self._update_chrome()

    def flush_drafts(self) -> None:
        """Write pending draft changes now (bind, close, quit)."""
        self._drafts.flush()

    # ---- Enter -----------------------------------------------------------------------------------

    def request_send(self) -> bool:
        """What Enter does: finish an edit, run a command, or ask to send. True if a signal
        went out (send_requested, command_requested or edit_requested)."""
        if self._session is None:
            return False
        original = self._editing[1] if self._editing is not None else None
        outcome = interpret(self.editor.toPlainText(), editing=original)
        if self.tray.count() and original is None and outcome.kind in ("send", "nothing"):
            return self._send_files(outcome.text if outcome.kind == "send" else "")
        if outcome.kind == "refuse":
            self.footer.say(outcome.text)
        elif outcome.kind in ("edit", "unchanged") and self._editing is not None:
            fingerprint = self._editing[0]
            self._leave_edit()
            if outcome.kind == "edit":
                self.edit_requested.emit(fingerprint, outcome.text)
            return outcome.kind == "edit"
        elif outcome.kind == "note":
            self.set_text(outcome.text)
            self.set_mode("note")
            self.command_requested.emit("note", outcome.text)
            return True
        elif outcome.kind == "command":
            self._typing.stop()
            self.editor.set_plain("")
            self._store_draft()
            self._update_chrome()
            self.command_requested.emit(outcome.name, outcome.text)
            return True
        elif outcome.kind == "send":
            mentions = self._completer.mentions(outcome.text) if self._mode == "note" else []
            self._typing.stop()
            self.send_requested.emit(outcome.text, self._mode, mentions)
            return True
        return False

    # ---- editing my last message ---------------------------------------------------------------

    def _start_edit(self) -> None:
        if self._session is None or self._last_own is None or self._editing is not None:
            return
        found = self._last_own(self._session)
        if found is None:
            self.footer.say("No message of yours to edit in this conversation")
            return
        self._typing.stop()
        self._editing = found
        self.editor.set_plain(found[1])
        self._update_chrome()

    def _leave_edit(self) -> None:
        """Back to the draft that was there before Up (the edit text is never a draft)."""
        self._editing = None
        draft = self._drafts.get(self._session)
        self.editor.set_plain(draft.text if draft is not None else "")
        self.footer.clear_notice()
        self._update_chrome()

    def _on_cancel(self) -> None:
        if self._editing is not None:
            self._leave_edit()
        else:
            self.leave_requested.emit()

    # ---- popup -----------------------------------------------------------------------------

    def _on_completion(self, completion: Completion, via_enter: bool) -> None:
        self._completer.picked(completion)
        if completion.kind == "command":
            if completion.value == "note":
                self.set_mode("note")
                self.command_requested.emit("note", "")
            elif via_enter and not COMMANDS_BY_NAME[completion.value].takes_argument:
                self.request_send()

    # ---- typing and drafts ---------------------------------------------------------------------

    def _on_edited(self) -> None:
        self.footer.clear_notice()
        if self._editing is None:
            self._store_draft()
            self._typing.update(self.editor.toPlainText(), replying=self._mode == "reply")
        self.footer.set_can_send(self._can_send())

    def _store_draft(self) -> None:
        if self._session is not None and self._editing is None:
            self._drafts.put(self._session, self.editor.toPlainText(), self._mode)

    # ---- attachments ---------------------------------------------------------------------------

    def open_attach_dialog(self) -> None:
        """Pick files to attach (window-modal, opened with open(): no nested event loop)."""
        if self._session is not None:
            self.tray.open_dialog(self, self._session)

    def add_files(self, paths: Sequence[str]) -> None:
        """Attach local files (dialog, paste, drop) to the tray."""
        if self._session is not None:
            self.tray.add_files(paths, self._session)

    def add_image(self, image: QImage) -> None:
        """Attach a pasted or dropped image to the tray."""
        if self._session is not None:
            self.tray.add_image(image, self._session)

    def take_attachments(self, session_id: str) -> list[Attachment]:
        """The lead sends ``session_id``'s tray: its files, emptied from it."""
        return self.tray.take(session_id)

    def _send_files(self, caption: str) -> bool:
        """Enter with files in the tray: they go, then the text as a message (not in a
        note: Crisp's notes carry text only, and a file would reach the visitor)."""
        if self._mode == "note":
            self.footer.say(NOTE_REFUSAL)
            return False
        self._typing.stop()
        self.send_requested.emit(caption, "reply", [])
        return True

    # ---- chrome ----------------------------------------------------------------------------------

    def _update_chrome(self) -> None:
        note, editing = self._mode == "note", self._editing is not None
        hint = send_hint(self._registry.shortcuts("composer.send"),
                         send_on_enter=self.editor.send_on_enter, editing=editing)
        self.header.set_state(note=note, editing=editing, hint=hint)
        files = self.tray.count() if not (editing or note) else 0
        self.tray.set_note(note)
        self.editor.setPlaceholderText(caption_placeholder(files) if files else
                                       placeholder(bound=self._session is not None,
                                                   editing=editing, note=note))
        self.editor.setAccessibleName("Private note" if note else "Reply")
        self.footer.set_state(note=note, editing=editing, can_send=self._can_send())
        tint_editor(self.editor, self.palette(), note=note)

    def _can_send(self) -> bool:
        files = self.tray.count() and self._mode == "reply" and self._editing is None
        return bool(self.editor.toPlainText().strip() or files)

    def _mode_clicked(self, mode: str) -> None:
        self.set_mode(mode)
        self._update_chrome()  # a refused switch (while editing) puts the buttons back
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- Qt overrides ----------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            tint_editor(self.editor, self.palette(), note=self._mode == "note")
        elif event.type() == QEvent.Type.FontChange:  # two lines of the new size, at least
            self.editor.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 16)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush_drafts()
        super().closeEvent(event)

"""The header's collision warning (ui/widgets/collision_label.py) on a real Store with a test
clock: its own conversation only, never "me", live, and no timer while it shows nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.widgets.collision_label import CollisionLabel
from tests.core import factories as f

ME, ANA = "op-me", "op-ana"


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def typing(sid: str, user_id: str, nickname: str, kind: str = "start") -> dict[str, object]:
    payload = f.compose_event(sid, kind, None, operator=True)
    payload["user"] = f.operator_user(user_id, nickname)
    return payload


@pytest.mark.usefixtures("qapp")
def test_its_conversation_only_never_me_and_no_timer_when_empty(qtbot: QtBot) -> None:
    clock = Clock()
    store = Store(clock=clock)
    sid, other = f.session_id(), f.session_id()
    store.upsert_conversations([f.conversation(sid), f.conversation(other)])
    label = CollisionLabel(store, tick_ms=10)
    qtbot.addWidget(label)
    label.set_me(lambda: ME)
    label.bind(sid)
    assert label.isHidden() and label.warning() == ""
    store.apply("message:compose:receive", typing(other, ANA, "Ana Silva"))
    store.apply("message:compose:receive", typing(sid, ME, "Me"))
    assert label.isHidden()  # another conversation's colleague, and my own echo
    store.apply("message:compose:receive", typing(sid, ANA, "Ana Silva"))
    assert label.isVisible() and label.warning() == "Ana Silva is typing…"
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.accessibleDescription() == label.warning()
    clock.now = 30.0  # no stop came: the timer notices the timeout
    qtbot.waitUntil(lambda: label.isHidden())
    qtbot.waitUntil(lambda: not label._timer.isActive())  # noqa: SLF001 - nothing to tick
    label.bind(other)
    assert label.warning() == "" and label.isHidden()  # Ana's in "other" expired too
    label.detach()
    assert store.observers == 0


@pytest.mark.usefixtures("qapp")
def test_a_long_warning_gives_way_elided(qtbot: QtBot) -> None:
    store = Store()
    sid = f.session_id()
    store.upsert_conversations([f.conversation(sid)])
    label = CollisionLabel(store)
    qtbot.addWidget(label)
    label.bind(sid)
    for n in range(5):
        store.apply("message:compose:receive", typing(sid, f"op{n}", f"Operator Number {n}"))
    whole = label.warning()
    assert whole == ("Operator Number 0, Operator Number 1, Operator Number 2 and 2 others "
                     "are typing…")
    assert label.sizeHint().width() > label.fontMetrics().horizontalAdvance(whole)
    assert label.minimumSizeHint().width() < label.sizeHint().width() // 3
    label.resize(label.minimumSizeHint().width() + 40, label.sizeHint().height())
    assert label.text().endswith("…") and len(label.text()) < len(whole)
    assert label.toolTip() == tooltip_html(whole)  # the whole of it, as plain text
    label.resize(label.sizeHint())
    assert label.text() == whole and label.toolTip() == ""
    label.detach()

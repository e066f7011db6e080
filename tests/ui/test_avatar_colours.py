"""One visitor, one avatar colour: the conversation list's row, the thread header and the
people panel paint the same colour, read from their pixels (present/avatars.py decides it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from crisp_console.core import Store
from crisp_console.present.avatars import avatar_hex, visitor_key
from crisp_console.ui.delegates import conversation as cd
from crisp_console.ui.delegates.conversation import ConversationDelegate
from crisp_console.ui.widgets.people_panel import PeoplePanel
from crisp_console.ui.widgets.thread_header import AVATAR_LINES, PAD, ThreadHeader
from tests.core import factories as f
from tests.ui.delegates.delegate_helpers import ObjectModel

CONTACT = "session_0a0a0a0a-0000-4000-8000-00000000c0de"
ANONYMOUS = "session_0a0a0a0a-0000-4000-8000-0000000a0a0a"
PEOPLE_ID = "7d0c9e51-2a3b-4c5d-8e9f-0a1b2c3d4e5f"


@pytest.fixture
def store() -> Store:
    store = Store()
    store.set_websites([f.website()])
    store.upsert_conversations([
        f.conversation(CONTACT, people_id=PEOPLE_ID),
        f.conversation(ANONYMOUS, people_id=None,
                       meta={"nickname": "", "email": "", "data": {}, "segments": []})])
    return store


def top_of(rect: QRect) -> QPoint:
    """A point inside the avatar's circle, above its initials."""
    return QPoint(rect.center().x(), rect.top() + round(rect.height() * 0.12))


def list_colour(store: Store, sid: str) -> QColor:
    conv = store.conversations[sid]
    delegate = ConversationDelegate(clock=lambda: f.BASE_TIME)
    model = ObjectModel([conv])
    option = QStyleOptionViewItem()
    height = delegate.row_height(option.font)
    option.rect = QRect(0, 0, 420, height)
    image = QImage(420, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, 0))
    painter.end()
    side = 2 * QFontMetrics(option.font).height() + cd.LINE_GAP
    avatar = QRect(cd.STRIP + cd.PAD, (height - side) // 2, side, side)
    return image.pixelColor(top_of(avatar))


def header_colour(qtbot: QtBot, store: Store, sid: str) -> QColor:
    header = ThreadHeader(store)
    qtbot.addWidget(header)
    header.resize(600, 80)
    header.bind(sid)
    image = header.grab().toImage()
    side = max(28, round(QFontMetrics(header.font()).height() * AVATAR_LINES))
    return image.pixelColor(top_of(QRect(PAD, (header.height() - side) // 2, side, side)))


def panel_colour(qtbot: QtBot, store: Store, sid: str) -> QColor:
    panel = PeoplePanel(store, clock=lambda: f.BASE_TIME)
    qtbot.addWidget(panel)
    panel.bind(sid)
    pixmap = panel.header.avatar.pixmap()
    image = pixmap.toImage()
    side = round(image.width() / pixmap.devicePixelRatio())
    return image.pixelColor(top_of(QRect(0, 0, side, side)) * pixmap.devicePixelRatio())


@pytest.mark.parametrize("sid", [CONTACT, ANONYMOUS])
def test_list_header_and_panel_paint_one_colour(qtbot: QtBot, store: Store, sid: str) -> None:
    conv = store.conversations[sid]
    expected = avatar_hex(visitor_key(conv.people_id, conv.session_id))
    seen = {"list": list_colour(store, sid).name(),
            "header": header_colour(qtbot, store, sid).name(),
            "panel": panel_colour(qtbot, store, sid).name()}
    assert seen == {"list": expected, "header": expected, "panel": expected}


def test_the_colour_follows_the_contact_once_crisp_links_one(qtbot: QtBot, store: Store) -> None:
    before = header_colour(qtbot, store, ANONYMOUS).name()
    assert before == avatar_hex(ANONYMOUS)
    store.upsert_conversations([f.conversation(ANONYMOUS, people_id=PEOPLE_ID)])
    assert header_colour(qtbot, store, ANONYMOUS).name() == avatar_hex(PEOPLE_ID)
    assert list_colour(store, ANONYMOUS).name() == avatar_hex(PEOPLE_ID)
    assert panel_colour(qtbot, store, ANONYMOUS).name() == avatar_hex(PEOPLE_ID)

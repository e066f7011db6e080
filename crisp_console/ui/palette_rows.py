"""The command palette's result list: a small model (at most ~50 rows, replaced on every
search) and the delegate that paints a row.

A row is two lines: the kind's icon, the title with the matched characters in bold, the
shortcut right-aligned; under it the detail, muted and elided. Every colour comes from the
palette, so light and dark schemes need nothing else. Titles and details are untrusted
(visitor names, message excerpts): they are drawn as plain text, never as markup, and the
tooltip, which Qt would read as rich text, is escaped (plain.tooltip_html).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from crisp_console.present.palette_sources import PaletteItem, Result
from crisp_console.present.plain import tooltip_html
from crisp_console.ui.models.items import ItemListModel
from crisp_console.ui.models.roles import ITEM_ROLE
from crisp_console.ui.theme import RESOURCES

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
DESCRIPTION = int(Qt.ItemDataRole.AccessibleDescriptionRole)
Role = QPalette.ColorRole
Group = QPalette.ColorGroup
ICON_SIZE = 16
ICON_LINES = 0.9  # the icon's side in lines of the row's font, at least ICON_SIZE
PAD = 8
_Index = QModelIndex | QPersistentModelIndex


def _tooltip(result: Result) -> str:
    item = result.item
    return tooltip_html(f"{item.title}\n{item.detail}" if item.detail else item.title)


class PaletteModel(ItemListModel):
    """Rows of Results; a disabled item's row is not enabled (greyed, not choosable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__({DISPLAY: lambda r: r.item.title, TOOLTIP: _tooltip,
                          DESCRIPTION: lambda r: r.item.detail}, parent)

    def set_results(self, results: Sequence[Result]) -> None:
        self.set_items(results)

    def results(self) -> list[Result]:
        return self.items()

    def item(self, row: int) -> PaletteItem | None:
        result = self.item_at(row)
        return result.item if isinstance(result, Result) else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        item = self.item(index.row()) if index.isValid() else None
        if item is None or not item.enabled:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class PaletteDelegate(QStyledItemDelegate):
    """Paints a Result in two lines; the size is the same for every row (uniform sizes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icons: dict[str, QIcon] = {}

    def icon(self, kind: str) -> QIcon:
        icon = self._icons.get(kind)
        if icon is None:
            path = RESOURCES / "icons" / f"{kind}.svg"
            icon = self._icons[kind] = QIcon(str(path)) if path.exists() else QIcon()
        return icon

    def row_height(self, font: QFont) -> int:
        return 2 * QFontMetrics(font).height() + 2 * PAD - 2

    @staticmethod
    def _title(painter: QPainter, font: QFont, box: QRect, title: str,
               highlights: Sequence[int], colour: QColor) -> None:
        """The title in runs, matched characters bold; elided with "…" when too wide."""
        bold = QFont(font)
        bold.setBold(True)
        fonts = (QFontMetrics(font), QFontMetrics(bold))
        marked = set(highlights)
        runs: list[tuple[str, bool]] = []
        for i, ch in enumerate(title):
            hit = i in marked
            if runs and runs[-1][1] == hit:
                runs[-1] = (runs[-1][0] + ch, hit)
            else:
                runs.append((ch, hit))
        painter.setPen(colour)
        x, limit = box.left(), box.right()
        ellipsis = "…"
        for n, (text, hit) in enumerate(runs):
            fm = fonts[hit]
            width = fm.horizontalAdvance(text)
            last = n == len(runs) - 1
            room = limit - x - (0 if last else fonts[0].horizontalAdvance(ellipsis))
            if width > room:
                text = fm.elidedText(text, Qt.TextElideMode.ElideRight, max(0, limit - x))
                width = fm.horizontalAdvance(text)
                painter.setFont(bold if hit else font)
                painter.drawText(QRect(x, box.top(), width, box.height()),
                                 Qt.AlignmentFlag.AlignVCenter, text)
                return
            painter.setFont(bold if hit else font)
            painter.drawText(QRect(x, box.top(), width, box.height()),
                             Qt.AlignmentFlag.AlignVCenter, text)
            x += width

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        result = index.data(ITEM_ROLE)
        if not isinstance(result, Result):
            return
        item = result.item
        rect: QRect = option.rect
        state = option.state
        pal: QPalette = option.palette
        selected = bool(state & QStyle.StateFlag.State_Selected)
        enabled = item.enabled
        group = Group.Normal if enabled else Group.Disabled
        painter.save()
        if selected:
            painter.fillRect(rect, pal.color(Group.Normal, Role.Highlight))
        elif state & QStyle.StateFlag.State_MouseOver and enabled:
            painter.fillRect(rect, pal.color(Role.AlternateBase))
        text_role = Role.HighlightedText if selected else Role.Text
        text = pal.color(group, text_role)
        muted = QColor(text) if selected else pal.color(group, Role.PlaceholderText)
        if selected:
            muted.setAlphaF(0.8)
        font = QFont(option.font)
        fm = QFontMetrics(font)
        line = fm.height()
        left = rect.left() + PAD
        top = rect.top() + PAD - 1
        icon = self.icon(item.kind)
        side = max(ICON_SIZE, round(line * ICON_LINES))  # grows with the font size
        if not icon.isNull():
            mode = QIcon.Mode.Normal if enabled else QIcon.Mode.Disabled
            icon_top = top + (line - side) // 2
            icon.paint(painter, QRect(left, icon_top, side, side),
                       Qt.AlignmentFlag.AlignCenter, mode)
        left += side + PAD
        right = rect.right() - PAD
        if item.shortcut:
            painter.setPen(muted)
            width = fm.horizontalAdvance(item.shortcut)
            painter.drawText(QRect(right - width, top, width, line),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             item.shortcut)
            right -= width + 2 * PAD
        self._title(painter, font, QRect(left, top, max(0, right - left), line), item.title,
                    result.highlights, text)
        if item.detail:
            painter.setFont(font)
            painter.setPen(muted)
            detail = fm.elidedText(item.detail, Qt.TextElideMode.ElideRight,
                                   max(0, rect.right() - PAD - left))
            painter.drawText(QRect(left, top + line, rect.right() - PAD - left, line),
                             Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine,
                             detail)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(200, self.row_height(option.font))

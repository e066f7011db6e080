"""The console's first frame: the window with its menus and toolbar, the conversation list
(its model and delegate), the status bar and the offline banner; the thread, the reply box
and the people panel are stand-ins of the theme's colour until the rest is built.

app.py builds it, restores the top of the cached list into it (``show_cached_first``: the
rows one screen shows, read in a fraction of the whole cache's time) and paints it before
the thread, the composer, the people panel and their controllers are even imported, then
reads the whole cache in its place (``show_cached_rest``); ``Console(...,
first_frame=...)`` then builds the rest into the same window, with the same list pane and
actions (one owner: nothing is built twice). Without a first frame (the tests, the
screenshots) ``build_console`` builds one itself, so both paths run the same code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QWidget

from crisp_console.client import ConsoleClient
from crisp_console.core import Store
from crisp_console.present.labels import operator_name, website_name
from crisp_console.settings import resource_path
from crisp_console.storage.first_screen import FirstScreen
from crisp_console.ui.commands import CommandRegistry
from crisp_console.ui.last_view import restore_scope
from crisp_console.ui.widgets.left_column import LeftColumn
from crisp_console.ui.widgets.list_pane import ListPane
from crisp_console.ui.widgets.main_window import MainWindow
from crisp_console.ui.widgets.offline_banner import OfflineBanner, Reachability
from crisp_console.ui.widgets.search_pane import SearchPane
from crisp_console.ui.widgets.status_bar import ConnectionStatusBar, SavedDataSource
from crisp_console.ui.widgets.website_switcher import WebsiteEntry

# The top of the cached list read before the first paint (storage/first_screen.py): the
# screens of the tallest display at the smallest rows, in about a tenth of a full cache's time.
FIRST_SCREEN_ROWS = 200


@dataclass
class FirstFrame:
    window: MainWindow
    list_pane: ListPane
    search: SearchPane
    left: LeftColumn  # the list pane, or the search pane in its place
    status_bar: ConnectionStatusBar
    banner: OfflineBanner
    icon: QIcon
    actions: dict[str, QAction]  # every command's; the thread's and composer's attached later


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "crisp-console.svg")))


def stand_in(role: QPalette.ColorRole) -> QWidget:
    """Holds a pane's place in its splitter (its saved size) until the pane is built, filled
    with the colour the pane paints its background in."""
    widget = QWidget()
    widget.setObjectName("paneStandIn")
    widget.setBackgroundRole(role)
    widget.setAutoFillBackground(True)
    return widget


def build_first_frame(client: ConsoleClient, registry: CommandRegistry, *,
                      settings: QSettings | None, coalesce: bool = True,
                      saved: SavedDataSource | None = None,
                      reachability: Reachability | None = None) -> FirstFrame:
    """The first frame's widgets around ``client`` (not shown). ``registry``: its actions
    fill the menus and the toolbar now; the list's shortcuts work at once."""
    list_pane = ListPane(client.store, coalesce=coalesce)
    search = SearchPane()
    left = LeftColumn(list_pane, search)
    status_bar = ConnectionStatusBar(client.gateway, client.api.quota, health=client,
                                     requests=client.api.requests, saved=saved)
    banner = OfflineBanner(reachability)
    icon = app_icon()
    role = QPalette.ColorRole.Window  # the thread's, the reply box's and the panel's ground
    window = MainWindow(list_pane=left, thread_pane=stand_in(role), composer=stand_in(role),
                        people_panel=stand_in(role),
                        status_bar=status_bar, settings=settings, icon=icon, banner=banner)
    actions = registry.create_actions(window, {"list": list_pane.view})
    window.install_actions(registry, actions)
    return FirstFrame(window=window, list_pane=list_pane, search=search, left=left,
                      status_bar=status_bar, banner=banner, icon=icon, actions=actions)


def show_cached(frame: FirstFrame, store: Store, me: str | None,
                view: Mapping[str, str]) -> None:
    """The restored inbox as the operator left it, for the first frame: operators' and
    websites' names, "me", and the last view's scope and quick filter (a saved view, the
    conversation left open and the websites' logos and notes come back with the rest:
    ui/last_view.py and ui/websites.py set them all again, to the same values)."""
    lp = frame.list_pane
    lp.set_user_id(me)
    lp.set_operator_names({uid: operator_name(o) for uid, o in store.operators.items()})
    lp.set_website_labels({wid: website_name(site) for wid, site in store.websites.items()})
    lp.switcher.set_websites([WebsiteEntry(wid, website_name(site), site.domain)
                              for wid, site in store.websites.items() if site.subscribed])
    restore_scope(lp, store, view)
    lp.flush()


def fills_the_screen(list_pane: ListPane) -> bool:
    """Whether the list's rows would fill the tallest screen's height."""
    view = list_pane.view
    rows = view.model().rowCount()
    tallest = max((screen.availableGeometry().height() for screen in QGuiApplication.screens()),
                  default=0)
    return rows > 0 and rows * max(1, view.sizeHintForRow(0)) >= tallest


async def read_first_screen(client: ConsoleClient) -> asyncio.Task[FirstScreen | None]:
    """The top of the cached list, its read already queued on the database's thread when
    this returns: SQLite ranks the rows (about 25 ms of a 2,000-conversation cache) without
    holding the GIL while the window is built. ``show_cached_first`` awaits it."""
    task = asyncio.ensure_future(client.restore_first_screen(FIRST_SCREEN_ROWS))
    await asyncio.sleep(0)  # one turn of the loop: the task's first step queues the read
    return task


async def show_cached_first(frame: FirstFrame, client: ConsoleClient,
                            view: Callable[[], Mapping[str, str]],
                            first_screen: Awaitable[FirstScreen | None] | None = None) -> None:
    """The cached inbox into the first frame (``view``: the last view's scope and filter).
    Only the top of the list is read when that fills the screen in the last view's filter,
    else the whole cache (a narrow filter); ``show_cached_rest`` reads the rest after the
    paint. The tabs' counts wait for the whole cache (ListPane.set_partial).
    ``first_screen``: ``read_first_screen``'s, started before the frame was built."""
    first = await (first_screen if first_screen is not None
                   else client.restore_first_screen(FIRST_SCREEN_ROWS))
    if first is not None:
        frame.list_pane.set_partial(first.cut)
        show_cached(frame, client.store, client.me, view())
        if not first.cut or fills_the_screen(frame.list_pane):
            return
    if await client.restore_cache() is not None:
        show_cached(frame, client.store, client.me, view())
    frame.list_pane.set_partial(False)


async def show_cached_rest(frame: FirstFrame, client: ConsoleClient) -> None:
    """After the first paint: the whole cache replaces the first screen's rows (nothing to
    do when it is already in), and the tabs count it."""
    await client.restore_cache()
    frame.list_pane.set_partial(False)

"""The whole console is honest about what it shows: the offline banner above the list and
the thread while Crisp cannot be reached, and "showing saved data from HH:MM" in the status
bar until the client says the saved data is reconciled (fakes stand for the client's
warm start and reachability; the console itself runs against the sandbox)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import qasync

from crisp_console.present.timefmt import moment
from tests.e2e.conftest import running_console, until
from tests.ui.widgets.test_offline_banner import FakeReachability
from tests.ui.widgets.test_status_bar import FakeSaved


def test_offline_banner_and_saved_data_until_reconciled(qloop: qasync.QEventLoop,
                                                        tmp_path: Path) -> None:
    saved_at = datetime.now(UTC) - timedelta(minutes=20)
    saved, reach = FakeSaved(saved_at), FakeReachability(offline=True)

    async def main() -> None:
        async with running_console(tmp_path, parts={"saved": saved, "reachability": reach}) \
                as (console, _sandbox):
            banner, bar = console.panes.offline_banner, console.panes.status_bar
            assert banner.isVisible() and banner.text().startswith("Offline — you can read")
            when = moment(saved_at, datetime.now(UTC))
            assert bar.sync_label.text().startswith(f"showing saved data from {when}")
            reach.move(False)
            saved.reconcile()
            assert not banner.isVisible()
            await until(lambda: bar.sync_label.text().startswith("synced"),
                        what="the usual freshness")

    qloop.run_until_complete(asyncio.wait_for(main(), 60))

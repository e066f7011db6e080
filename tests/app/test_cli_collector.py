"""cli.main imports and starts the console with the automatic collector off (start-up's
objects are not garbage; app.main freezes them and collects on the GUI thread), and gives
the collector back as it found it, however the console ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import crisp_console.app as app_module
from crisp_console import cli


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_console_starts_with_the_collector_off_and_gives_it_back(
        monkeypatch: pytest.MonkeyPatch, collector_on: None) -> None:
    seen: list[bool] = []

    def console(argv: list[str]) -> int:
        seen.append(gc.isenabled())
        return 3

    monkeypatch.setattr(app_module, "main", console)
    assert cli.main(["--demo"]) == 3
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_console_raises(
        monkeypatch: pytest.MonkeyPatch, collector_on: None) -> None:
    def fail(argv: list[str]) -> int:
        raise SystemExit(2)  # argparse's way out (--version, a bad flag)

    monkeypatch.setattr(app_module, "main", fail)
    with pytest.raises(SystemExit):
        cli.main(["--bad"])
    assert gc.isenabled()


def test_a_collector_left_off_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "main", lambda argv: 0)
    was = gc.isenabled()
    gc.disable()
    try:
        cli.main([])
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()

"""Optional modules that are not installed are remembered so (api/absent.py): httpcore's
``import sniffio`` on every request then fails at once instead of searching sys.path."""

from __future__ import annotations

import importlib
import importlib.util
import sys

import pytest

from crisp_console.api.absent import remember_absent
from tests.api.conftest import ApiFactory

MISSING = "crisp_console_test_no_such_module"


def test_a_missing_module_is_remembered_and_an_installed_one_left_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, MISSING, raising=False)
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)  # installed, not imported
    remember_absent((MISSING, "colorsys"))
    assert sys.modules[MISSING] is None
    with pytest.raises(ImportError):
        importlib.import_module(MISSING)
    assert "colorsys" not in sys.modules
    assert importlib.import_module("colorsys").hsv_to_rgb(0, 0, 1) == (1, 1, 1)


@pytest.mark.asyncio
async def test_the_first_request_remembers_sniffio_and_httpcore_still_runs_on_asyncio(
        make_api: ApiFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sniffio", raising=False)
    installed = importlib.util.find_spec("sniffio") is not None
    await make_api().connect_account()
    if installed:
        assert sys.modules["sniffio"] is not None
    else:
        assert sys.modules["sniffio"] is None
    from httpcore._synchronization import current_async_library

    assert current_async_library() == "asyncio"

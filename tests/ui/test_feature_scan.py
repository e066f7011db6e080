"""ui/feature_scan.py: PySide6's __feature__ scan gives the same answers, read cheaply."""

from __future__ import annotations

import importlib
import json
import math
import sys
from pathlib import Path

import pytest

from crisp_console.core import models
from crisp_console.ui import feature_scan, theme


@pytest.fixture
def feature(monkeypatch: pytest.MonkeyPatch) -> object:
    module = sys.modules[feature_scan.FEATURE_MODULE]
    # install() replaces the scan for the process: put PySide6's own back afterwards.
    monkeypatch.setattr(module, feature_scan.SCAN, getattr(module, feature_scan.SCAN))
    return module


def test_the_answers_are_pysides_own(feature: object) -> None:
    original = getattr(feature, feature_scan.SCAN)
    for module in (theme, feature_scan, models, json, math, importlib):
        assert feature_scan.mentions_pyside(module) == original(module), module.__name__
    assert feature_scan.mentions_pyside(theme) is True
    assert feature_scan.mentions_pyside(models) is False
    assert feature_scan.mentions_pyside(math) is False  # built in: no source file


def test_installed_it_marks_the_modules_imported_after_it(
        feature: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "scan_uses_qt.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "scan_plain.py").write_text("# no Qt here\nVALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert feature_scan.install()
    assert getattr(feature, feature_scan.SCAN) is feature_scan.mentions_pyside
    for name in ("scan_uses_qt", "scan_plain"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    __import__("scan_uses_qt")  # the statement's import: PySide6 hooks builtins.__import__
    __import__("scan_plain")
    marks = feature.pyside_feature_dict  # type: ignore[attr-defined]
    assert marks["scan_uses_qt"] == 0  # PySide6's "uses PySide": features may apply
    assert marks["scan_plain"] == -1  # "ignore this module"


def test_an_unreadable_source_counts_as_none(tmp_path: Path) -> None:
    class Gone:
        __spec__ = None
        __file__ = str(tmp_path / "gone.py")

    assert feature_scan.mentions_pyside(Gone()) is False  # type: ignore[arg-type]


def test_without_the_hook_it_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, feature_scan.FEATURE_MODULE)
    assert feature_scan.install() is False

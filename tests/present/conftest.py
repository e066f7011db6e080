"""tests/present runs without Qt as well as in the whole suite:

    python -m pytest tests/present -p no:pytest-qt --confcutdir=tests/present

(``--confcutdir`` leaves out tests/conftest.py, which loads the qasync loop fixture).
tests/architecture/test_present.py runs it so, with Qt and the I/O libraries made
unimportable.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # pyproject's pytest-qt settings: without the plugin, --strict-config calls them unknown.
    if not pluginmanager.has_plugin("pytest-qt"):
        parser.addini("qt_log_level_fail", "pytest-qt's, unused without it", type="string")
        parser.addini("qt_log_ignore", "pytest-qt's, unused without it", type="linelist")

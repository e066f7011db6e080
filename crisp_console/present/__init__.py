"""Qt-free presentation logic: what the views show and how typed text is read, computed
from core's objects without Qt and without I/O, so it is tested without a QApplication.

ui/ turns these values into widgets, paint calls and item-model roles. The import-linter
contracts in pyproject.toml keep PySide6 and the I/O libraries out of this package.
"""

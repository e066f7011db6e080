"""crisp-console: a native desktop operator console for Crisp."""

from importlib.metadata import PackageNotFoundError, version

# One source: pyproject's [project] version, read from the installed distribution's metadata
# (the PyInstaller spec copies that metadata into the bundle).
try:
    __version__ = version("crisp-console")
except PackageNotFoundError:  # a plain source tree that was never installed
    __version__ = "0+unknown"

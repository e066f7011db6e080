"""crisp-console: a native desktop operator console for Crisp."""

from __future__ import annotations

# One source: pyproject's [project] version, read from the installed distribution's metadata
# (the PyInstaller spec copies that metadata into the bundle). Read when first asked for:
# importlib.metadata costs the first frame about 10 ms, and nothing on its path needs it.


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("crisp-console")
    except PackageNotFoundError:  # a plain source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found  # read once
    return found

"""crisp-console: a native desktop operator console for Crisp."""

__version__ = "0.1.0"

"""PLACEHOLDER: being written."""

from pathlib import Path

from crisp_console.sandbox.state import SandboxState


def dump(state: SandboxState, path: Path | str) -> None:
    raise NotImplementedError


def load(path: Path | str) -> SandboxState:
    raise NotImplementedError

"""DEFAULT_EVENTS is exactly what the sandbox can emit (plus the upload bucket answer)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from crisp_console import sandbox as sandbox_pkg
from crisp_console.realtime import DEFAULT_EVENTS
from crisp_console.sandbox.state import META_EVENTS

EVENT_NAME = re.compile(r"^(message|session|people|website|plugin):[a-z_:]+$")


def names_emitted_by_the_sandbox_state() -> set[str]:
    """What SandboxState emits: its conversations (state.py) and its directory (world.py)."""
    folder = Path(sandbox_pkg.__file__).parent
    source = "\n".join((folder / name).read_text(encoding="utf-8")
                       for name in ("state.py", "world.py"))
    found = {node.value for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and EVENT_NAME.match(node.value)}
    found.discard("session:set_")  # the f-string prefix of the meta events, expanded below
    return found | {f"session:set_{key}" for key in META_EVENTS}


def test_default_events_are_unique() -> None:
    assert len(DEFAULT_EVENTS) == len(set(DEFAULT_EVENTS))


def test_default_events_are_what_the_sandbox_emits_plus_uploads() -> None:
    expected = names_emitted_by_the_sandbox_state() | {"bucket:url:upload:generated"}
    assert "message:send" in expected and "session:set_nickname" in expected  # parser sanity
    assert set(DEFAULT_EVENTS) == expected

"""Crisp's official node client (crisp-api 11.x), unchanged, against the sandbox.

tests/node/conformance.mjs lists conversations, sends a message, walks a dozen more routes,
and receives a simulated visitor message over RTM, both through endpoint discovery and through
``setRtmHost``. scripts/test.sh installs the client with ``npm ci`` when node is present.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crisp_console.sandbox.server import Sandbox

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.skipif(not (NODE_DIR / "node_modules" / "crisp-api").is_dir(),
                       reason="run scripts/test.sh (npm ci in tests/node) first"),
]


@pytest.mark.parametrize("mode", ["discovery", "rtmhost"])
async def test_node_client_works_unchanged(sandbox: Sandbox, mode: str) -> None:
    assert NODE is not None
    assert urlsplit(sandbox.rtm_url).path == "/"  # strict profile: RTM at the root path
    proc = await asyncio.create_subprocess_exec(
        NODE, str(NODE_DIR / "conformance.mjs"), json.dumps(sandbox.info()), mode,
        cwd=NODE_DIR, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    lines = out.decode().strip().splitlines()
    assert lines, err.decode()[-2000:]
    result = json.loads(lines[-1])
    assert result["ok"], result
    assert proc.returncode == 0
    assert result["checks"] == 21  # every check in conformance.mjs ran
    session_id = result["message"]["session_id"]
    conv = sandbox.state.conversations[session_id]
    assert conv.messages[-1].from_ == "user"
    # The node client's send and edit really landed in the sandbox's state.
    assert any(m.content == "Hello again" and m.edited
               for c in sandbox.state.conversations.values() for m in c.messages[-3:])
    # Its reminder (an hour ahead) is kept on the conversation it named, unfired.
    assert [(r["note"], r["fired_at"]) for c in sandbox.state.conversations.values()
            for r in c.reminders] == [("Node reminder", 0)]

"""Screenshots of the stale-reply prompt and the collision warning, under a real X server:
``xvfb-run -a -s "-screen 0 1600x1000x24" python -m tests.screenshots.shoot_guard DIR``
(with ``QT_QPA_PLATFORM=xcb``).

A sandbox (simulator off) gets a short conversation about a double charge. The console
opens it and the operator types an answer; meanwhile the visitor writes, a colleague answers
and another colleague starts typing. Enter then shows the prompt with the two messages
(``stale-prompt-light.png``, ``stale-prompt-dark.png``: the whole window, the header
saying who else is at work), and the thread pane alone after Esc
(``collision-light.png``, ``collision-dark.png``; ``collision-narrow-dark.png`` in a narrow
window, where the warning is elided).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from tests.screenshots.harness import run_shots
from tests.screenshots.shoot_find import save, settle

TALK = [
    (True, "Hi! I was charged twice for the Pro plan this month."),
    (True, "Can you refund the second charge, please?"),
    (False, "Hello Grace, let me look into it."),
]
REPLY = "I can see both charges: I've just refunded the second one, it takes 5 to 10 days."


def conversation(sandbox: Sandbox, me: str) -> Conversation:
    state = sandbox.state
    conv = state.create_conversation(state.subscribed_website_ids()[0],
                                     meta={"nickname": "Grace Hopper",
                                           "email": "grace@example.com",
                                           "segments": [], "data": {}})
    conv.visitor["nickname"] = "Grace Hopper"
    op = state.operator(me)
    start = state.clock() - len(TALK) * 60_000
    for n, (visitor, text) in enumerate(TALK):
        state.add_message(conv, type="text", from_="user" if visitor else "operator",
                          origin="chat", content=text, timestamp=start + n * 60_000,
                          user=conv.visitor if visitor or op is None else op.user())
    state.set_state(conv, "unresolved")
    return conv


async def until(predicate: object, what: str) -> None:
    for _ in range(500):
        if callable(predicate) and predicate():
            return
        await asyncio.sleep(0.01)
    raise SystemExit(f"timed out waiting for {what}")


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    info = sandbox.info()
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]))
    console = Console(client, drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        await console.start()
        me = client.me or ""
        conv = conversation(sandbox, me)
        sid = conv.session_id
        await until(lambda: sid in client.store.conversations, "the conversation")
        console.controller.jump_to(sid)
        await until(lambda: client.store.timeline_loaded(sid), "the thread")
        await settle(0.6)
        editor = console.panes.composer.editor
        editor.setFocus()
        QTest.keyClicks(editor, REPLY)
        colleagues = [o for o in sandbox.state.operators if o.user_id != me]
        state = sandbox.state
        state.add_message(conv, type="text", from_="user", origin="chat",
                          content="Actually, never mind: the second charge was my husband's "
                                  "account, not mine. Sorry!", user=conv.visitor)
        state.add_message(conv, type="text", from_="operator", origin="chat",
                          content="Grace, I checked with billing: the second charge is on "
                                  "another account, nothing to refund.",
                          user=colleagues[0].user())
        state.compose(conv, kind="start", from_="operator", excerpt="I'll",
                      user=colleagues[1].user())
        header = console.panes.thread.header
        await until(lambda: "typing" in header.collision.warning(), "the collision warning")
        QTest.keyClick(editor, Qt.Key.Key_Return)
        prompt = console.stale_guard.prompt
        await until(prompt.isVisible, "the prompt")
        print("prompt:", prompt.title.text(), "|", prompt.context.text(), "|",
              prompt.lines(), flush=True)
        print("header:", header.collision.warning(), flush=True)
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.6)
            saved.append(save(window, out / f"stale-prompt-{name}.png"))
        QTest.keyClick(prompt, Qt.Key.Key_Escape)  # back to the reply: the header stays
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.6)
            saved.append(save(console.panes.thread, out / f"collision-{name}.png"))
        window.resize(980, 860)  # a narrow window: the warning gives way, elided
        await settle(0.6)
        saved.append(save(console.panes.thread, out / "collision-narrow-dark.png"))
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


def main(argv: list[str]) -> int:
    return run_shots(shoot, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Screenshots of find in the thread and of a revealed message, under a real X server:
``xvfb-run -a -s "-screen 0 1600x1000x24" python -m tests.screenshots.shoot_find DIR``
(with ``QT_QPA_PLATFORM=xcb``).

A sandbox (simulator off) gets one conversation with a long history before the console
starts, so its older messages are only on the server. The console opens it; Ctrl+F finds
"refund" and Enter steps to the second match (``find-light.png``, ``find-dark.png``), then a
word no loaded message has (``find-none-light.png``: the thread pane alone). Then,
as a search result would, the client reveals a message far back in the history (Crisp's
``timestamp_around``, then pages back) and the thread scrolls to it, flashed
(``reveal-light.png``, ``reveal-dark.png``). It prints the requests the reveal spent.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from crisp_console.client import ConsoleClient
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.model import Conversation
from crisp_console.sandbox.server import Sandbox
from crisp_console.types import Credentials
from crisp_console.ui.console import Console
from crisp_console.ui.theme import Scheme, Theme
from tests.screenshots.harness import run_shots

LINES = [
    "Hi! I ordered the Pro plan last week and I was charged twice.",
    "Could you check my account, please?",
    "My VAT number is FR 12 345 678 901 — can you put it on the invoice?",
    "Thanks for waiting. I can see the two charges.",
    "I'd like a refund for the second one.",
    "The refund is on its way: 5 to 10 working days.",
    "Great, thank you!",
    "Is there anything else I can help with?",
]
REVEALED = 2  # the VAT message of the first round: far back, never loaded


async def settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)  # the qasync loop is Qt's: sleeping paints


def long_history(sandbox: Sandbox) -> tuple[Conversation, int]:
    """A new conversation with 18 rounds of the talk above, a minute apart, ending now; the
    fingerprint of the message to reveal."""
    state = sandbox.state
    conv = state.create_conversation(state.subscribed_website_ids()[0],
                                     meta={"nickname": "Marie Dubois",
                                           "email": "marie@example.com",
                                           "segments": [], "data": {}})
    conv.visitor["nickname"] = "Marie Dubois"
    rounds = 18
    start = state.clock() - rounds * len(LINES) * 60_000
    target = 0
    for round_ in range(rounds):
        for i, text in enumerate(LINES):
            visitor = i in (0, 1, 2, 4, 6)
            fp = 800_000_000_000_000 + round_ * 100 + i
            when = start + (round_ * len(LINES) + i) * 60_000
            state.add_message(conv, type="text", from_="user" if visitor else "operator",
                              origin="chat", content=text, fingerprint=fp, timestamp=when,
                              user=conv.visitor if visitor else {
                                  "type": "website", "user_id": "operator",
                                  "nickname": "Daan"})
            if round_ == 1 and i == REVEALED:
                target = fp
    state.set_state(conv, "unresolved")
    return conv, target


def save(widget: QWidget, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not save {path}")
    return path


async def shoot(out: Path, theme: Theme) -> list[Path]:
    sandbox = Sandbox(SandboxConfig(seed=3, sizes=Sizes(), simulator_rate=0.0))
    await sandbox.start()
    conv, target = long_history(sandbox)
    info = sandbox.info()
    client = ConsoleClient(info["rest"], Credentials(info["identifier"], info["key"]))
    console = Console(client, drafts_path=None, settings=None)
    saved: list[Path] = []
    try:
        window = console.window
        window.resize(1440, 860)
        window.show()
        await console.start()
        sid = conv.session_id
        console.controller.jump_to(sid)
        await settle(1.0)
        thread = console.panes.thread
        console.registry.run("thread.find")
        QTest.keyClicks(thread.find_bar.edit, "refund")
        QTest.keyClick(thread.find_bar.edit, Qt.Key.Key_Return)
        await settle(0.6)
        print("find:", thread.find_bar.count.text(), flush=True)
        for scheme, name in ((Scheme.LIGHT, "light"), (Scheme.DARK, "dark")):
            theme.apply(scheme)
            await settle(0.6)
            saved.append(save(window, out / f"find-{name}.png"))
        theme.apply(Scheme.LIGHT)
        thread.find_bar.edit.clear()
        QTest.keyClicks(thread.find_bar.edit, "chargeback")
        await settle(0.4)
        saved.append(save(thread, out / "find-none-light.png"))
        QTest.keyClick(thread.find_bar.edit, Qt.Key.Key_Escape)

        msg = next(m for m in conv.messages if m.fingerprint == target)
        before = dict(client.api.requests_by_purpose())
        if not await client.reveal_message(sid, target, msg.timestamp):
            raise SystemExit(f"not revealed: {client.reveal.problem}")
        spent = {k: v - before[k] for k, v in client.api.requests_by_purpose().items()
                 if v != before[k]}
        print("reveal spent:", spent, flush=True)
        if not thread.reveal(target):
            raise SystemExit("the thread did not reveal the message")
        await settle(0.6)
        saved.append(save(window, out / "reveal-light.png"))
        theme.apply(Scheme.DARK)
        await settle(0.6)
        saved.append(save(window, out / "reveal-dark.png"))
    finally:
        await console.aclose()
        await sandbox.stop()
    return saved


def main(argv: list[str]) -> int:
    return run_shots(shoot, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

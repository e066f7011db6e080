"""PLACEHOLDER: a minimal world until the seeded generator lands."""

import random

from crisp_console.sandbox.config import SandboxConfig
from crisp_console.sandbox.model import Operator, Website
from crisp_console.sandbox.state import PluginToken, SandboxState, now_ms, seeded_uuid


def build_state(config: SandboxConfig) -> SandboxState:
    rng = random.Random(config.seed)
    now = config.base_time or now_ms()
    token = PluginToken(seeded_uuid(rng), "k" + seeded_uuid(rng).replace("-", ""), seeded_uuid(rng))
    state = SandboxState(token=token, plugin_schema={"type": "object"}, rng=random.Random(config.seed + 1))
    for i in range(config.sizes.websites):
        w = Website(seeded_uuid(rng), f"Site {i}", f"site{i}.example", "", i >= config.sizes.unsubscribed, {}, now, now, {})
        state.websites[w.website_id] = w
    for i in range(config.sizes.operators):
        state.operators.append(Operator(seeded_uuid(rng), f"op{i}@example.com", "Op", str(i), "", "member", ""))
    subscribed = state.subscribed_website_ids()
    for i in range(config.sizes.conversations):
        conv = state.create_conversation(subscribed[i % len(subscribed)], meta={"nickname": f"Visitor {i}", "segments": [], "data": {}})
        for j in range(config.sizes.messages // max(1, config.sizes.conversations)):
            state.add_message(conv, type="text", from_="user" if j % 2 == 0 else "operator", origin="chat", content=f"hello {j}", user=conv.visitor)
    return state

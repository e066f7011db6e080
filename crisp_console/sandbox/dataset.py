"""The seeded world: websites, operators, people and conversations with realistic histories.

Deterministic: the same seed, sizes and ``base_time`` always give the same world, down to ids,
contents and timestamps (every draw comes from one ``random.Random(seed)`` in a fixed order,
and nothing iterates a set). Timestamps are offsets back from ``base_time`` within ~30 days.

Built for size (scripts/bench_sandbox.py): 100k conversations and 1M messages take ~6 s and
~650 MB on a 2-core machine, because records share their strings and read-only nested parts
(see dataset_people.py) and the cyclic garbage collector is paused while millions of
containers are allocated.
"""

from __future__ import annotations

import copy
import gc
import random
from typing import Any

from crisp_console.sandbox import dataset_text as text
from crisp_console.sandbox.config import SandboxConfig, Sizes
from crisp_console.sandbox.dataset_history import HistoryBuilder, Site
from crisp_console.sandbox.dataset_people import (
    AVATAR_HOST,
    DAY_MS,
    NewPerson,
    Pools,
    ascii_slug,
    make_person,
)
from crisp_console.sandbox.model import Operator, Website
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.world import PluginToken, now_ms, seeded_uuid

# The plugin's settings schema; routes validate saved settings against it. The last three
# keys are the console's (resources/schemas/plugin-settings.schema.json, with the canned item
# rules of canned.schema.json inlined: a schema served to clients cannot $ref local files).
CANNED_RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["shortcut", "title", "text"],
    "additionalProperties": False,
    "properties": {
        "shortcut": {"type": "string", "pattern": "^[a-z0-9_-]{1,32}$"},
        "title": {"type": "string", "minLength": 1, "maxLength": 120},
        "text": {"type": "string", "minLength": 1, "maxLength": 10000},
        "locale": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
    },
}
PLUGIN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "greeting": {"type": "string", "maxLength": 500},
        "auto_assign": {"type": "boolean"},
        "default_operator": {"type": ["string", "null"]},
        "sla_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "canned_responses": {"type": "array", "items": CANNED_RESPONSE_SCHEMA, "maxItems": 500},
        "default_reply_mode": {"enum": ["reply", "note"]},
    },
}

GREETINGS = (
    "Hi! Welcome to {name}. How can we help?",
    "Hello 👋 Questions about {name}? We usually answer within minutes.",
    "Bonjour! The {name} team is here for you.",
)


def plugin_schema() -> dict[str, Any]:
    return copy.deepcopy(PLUGIN_SCHEMA)


def build_state(config: SandboxConfig) -> SandboxState:
    enabled = gc.isenabled()
    gc.disable()  # millions of acyclic containers: collections would only burn time
    try:
        return _build(config)
    finally:
        if enabled:
            gc.enable()


def _build(config: SandboxConfig) -> SandboxState:
    sizes = config.sizes
    rng = random.Random(config.seed)
    base = now_ms() if config.base_time is None else config.base_time
    # Drawn even when overridden, so that the token never changes the rest of the world.
    identifier = seeded_uuid(rng)
    key = f"{rng.getrandbits(256):064x}"
    token = PluginToken(config.identifier or identifier, config.key or key, seeded_uuid(rng),
                        tier=config.tier)
    state = SandboxState(token=token, plugin_schema=plugin_schema(),
                         rng=random.Random(config.seed + 1))
    pools = Pools()
    names = list(text.WEBSITES)
    rng.shuffle(names)
    n_websites = max(1, sizes.websites)
    n_unsubscribed = min(max(0, sizes.unsubscribed), n_websites - 1)
    identities = [_website_identity(names, i) for i in range(n_websites)]
    operators = _operators(rng, pools, max(1, sizes.operators), identities[n_unsubscribed][1],
                           base)
    state.operators.extend(operators)
    sites = _websites(rng, state, identities, n_unsubscribed, operators, base)
    n_conversations = max(0, sizes.conversations)
    weights = [1 / (j + 1) for j in range(len(sites))]  # the first website is the busiest
    site_of_conv = rng.choices(range(len(sites)), weights=weights, k=n_conversations)
    people = _people(rng, pools, state, sites, weights, sizes, base)
    counts = _message_counts(rng, n_conversations, max(0, sizes.messages))
    builder = HistoryBuilder(rng, pools, operators, base)
    conversations = state.conversations
    for i in range(n_conversations):
        site_idx = site_of_conv[i]
        candidates = people[site_idx]
        person = (candidates[rng.randrange(len(candidates))]
                  if candidates and rng.random() < 0.85 else None)
        session_id = "session_" + seeded_uuid(rng)
        conv = builder.conversation(session_id, sites[site_idx], person, counts[i])
        conversations[session_id] = conv
        if person is not None:
            record = person.record
            record.sessions.append(session_id)
            record.created_at = min(record.created_at, conv.created_at)
            record.updated_at = max(record.updated_at, record.created_at)
            record.active_last = max(record.active_last, conv.active_last)
    return state


def _website_identity(names: list[tuple[str, str]], i: int) -> tuple[str, str]:
    name, domain = names[i % len(names)]
    if i < len(names):
        return name, domain
    k = i // len(names) + 1
    stem, _, tld = domain.partition(".")
    return f"{name} {k}", f"{stem}{k}.{tld}"


def _operators(rng: random.Random, pools: Pools, count: int, team_domain: str,
               base: int) -> list[Operator]:
    operators = []
    emails: set[str] = set()
    for i in range(count):
        first, _gender, first_slug = pools.names[rng.randrange(len(pools.names))]
        last, last_slug = pools.last_names[rng.randrange(len(pools.last_names))]
        email = f"{first_slug}.{last_slug}@{team_domain}"
        if email in emails:
            email = f"{first_slug}.{last_slug}{i}@{team_domain}"
        emails.add(email)
        availability = "online" if i == 0 else rng.choice(("online", "away", "offline"))
        operators.append(Operator(
            user_id=seeded_uuid(rng),
            email=email,
            first_name=first,
            last_name=last,
            avatar=f"{AVATAR_HOST}/operators/{ascii_slug(first)}.jpg"
            if rng.random() < 0.7 else "",
            role="owner" if i == 0 else "member",
            title=text.OPERATOR_TITLES[rng.randrange(len(text.OPERATOR_TITLES))],
            availability=availability,
            availability_since=base - rng.randrange(60_000, 8 * 3_600_000),
        ))
    return operators


def _websites(rng: random.Random, state: SandboxState, identities: list[tuple[str, str]],
              n_unsubscribed: int, operators: list[Operator], base: int) -> list[Site]:
    """Create the websites; returns the subscribed ones, in order, for the conversations."""
    sites = []
    n_subscribed = len(identities) - n_unsubscribed
    for i, (name, domain) in enumerate(identities):
        subscribed = i >= n_unsubscribed
        created = base - rng.randrange(20 * DAY_MS, 30 * DAY_MS)
        website = Website(
            website_id=seeded_uuid(rng),
            name=name,
            domain=domain,
            logo=f"https://logos.sandbox.example/{domain}.png",
            subscribed=subscribed,
            settings={},
            created_at=created,
            updated_at=created + rng.randrange(0, 10 * DAY_MS),
            plan={"id": seeded_uuid(rng), "name": rng.choice(text.PLANS),
                  "trialing": rng.random() < 0.2},
            visitors_count=rng.randrange(0, 40) if subscribed else 0,
            token=f"{rng.getrandbits(128):032x}",
        )
        # The last subscribed website (when there are several) never saved its settings:
        # an installed-but-unconfigured plugin, for `filter_configured`.
        if subscribed and (i < len(identities) - 1 or n_subscribed == 1):
            website.settings = _settings(rng, name, operators)
        state.websites[website.website_id] = website
        if i == 0 and not subscribed:
            # This one had the plugin once: it shows up as "removed" since then.
            state.removed_websites[website.website_id] = website.updated_at
        if subscribed:
            inboxes = [seeded_uuid(rng) for _ in range(2)]
            sites.append(Site(website.website_id, domain, inboxes))
    return sites


def _settings(rng: random.Random, name: str, operators: list[Operator]) -> dict[str, Any]:
    tags = rng.sample(text.SETTINGS_TAGS, rng.randrange(0, 5))
    default = operators[rng.randrange(len(operators))].user_id if rng.random() < 0.6 else None
    return {
        "greeting": GREETINGS[rng.randrange(len(GREETINGS))].format(name=name),
        "auto_assign": rng.random() < 0.5,
        "default_operator": default,
        "sla_minutes": rng.choice((15, 30, 60, 120, 240, 480)),
        "tags": tags,
    }


def _people(rng: random.Random, pools: Pools, state: SandboxState, sites: list[Site],
            weights: list[float], sizes: Sizes, base: int) -> list[list[NewPerson]]:
    """People per subscribed website (same weights as the conversations)."""
    count = sizes.people if sizes.people is not None else round(0.7 * sizes.conversations)
    site_of_person = rng.choices(range(len(sites)), weights=weights, k=max(0, count))
    by_site: list[list[NewPerson]] = [[] for _ in sites]
    for site_idx in site_of_person:
        website_id = sites[site_idx].website_id
        new = make_person(rng, pools, state, website_id, base)
        record = new.record
        state.people[record.people_id] = record
        state.people_by_email[(website_id, record.email.lower())] = record.people_id
        by_site[site_idx].append(new)
    return by_site


def _message_counts(rng: random.Random, conversations: int, total: int) -> list[int]:
    """Exactly ``total`` messages, spread unevenly (log-normal); ~2% of conversations empty."""
    counts = [0] * conversations
    live = [i for i in range(conversations) if i < 10 or rng.random() >= 0.02]
    if not live:
        return counts
    if total < len(live):
        for i in live[:total]:
            counts[i] = 1
        return counts
    weights = [rng.lognormvariate(0.0, 0.9) for _ in live]
    scale = (total - len(live)) / sum(weights)
    given = 0
    for i, w in zip(live, weights, strict=True):
        counts[i] = 1 + int(w * scale)
        given += counts[i]
    start = rng.randrange(len(live))
    for k in range(total - given):  # fewer than len(live): each gets at most one more
        counts[live[(start + k) % len(live)]] += 1
    return counts

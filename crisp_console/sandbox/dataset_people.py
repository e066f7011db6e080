"""People profiles and visitor metas for the seeded dataset.

Nested parts that are read but never edited in place (geolocation, system, locales, company,
connection, event data) are shared between records: the sandbox holds up to ~100k of each, and
every mutation method of ``SandboxState`` replaces such a part rather than changing it.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Any

from crisp_console.sandbox import dataset_text as text
from crisp_console.sandbox.model import Person
from crisp_console.sandbox.state import SandboxState
from crisp_console.sandbox.world import seeded_uuid

DAY_MS = 86_400_000
WINDOW_MS = 30 * DAY_MS  # every timestamp falls within this many ms before base_time
AVATAR_HOST = "https://avatars.sandbox.example"  # never fetched: .example does not resolve
PROFILE_SITES = (("twitter", "https://x.com/"), ("linkedin", "https://www.linkedin.com/in/"),
                 ("github", "https://github.com/"))


def ascii_slug(name: str) -> str:
    """``"Łukasz Wiśniewska"`` -> ``"lukasz.wisniewska"``: a plausible email local part."""
    folded = unicodedata.normalize("NFKD", name.replace("Ł", "L").replace("ł", "l")
                                   .replace("ø", "o").replace("Ø", "O"))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    return ".".join("".join(c for c in part if c.isalnum()) for part in ascii_only.split())


class Pools:
    """Per-build shared objects derived from the text pools (built once, shared by records)."""

    def __init__(self) -> None:
        self.names = [(first, gender, ascii_slug(first)) for first, gender in text.FIRST_NAMES]
        self.last_names = [(last, ascii_slug(last).replace(".", "")) for last in text.LAST_NAMES]
        self.geolocations = [
            {"country": c[0], "region": c[1], "city": c[2],
             "coordinates": {"latitude": c[3], "longitude": c[4]}}
            for c in text.CITIES
        ]
        self.locales = [[c[6]] if c[6][:2] == "en" else [c[6], "en"] for c in text.CITIES]
        self.systems = [
            {"os": {"name": s[0], "version": s[1]}, "engine": {"name": s[4], "version": s[5]},
             "browser": {"name": s[2], "version": s[3]}}
            for s in text.SYSTEMS
        ]
        self.capabilities = [text.CAPABILITIES[s[6]] for s in text.SYSTEMS]
        self.connections = [{"isp": isp, "asn": asn} for isp, asn in text.ISPS]
        self.companies = [self._company(c) for c in text.COMPANIES]
        self.employments = [
            {"name": c[0], "domain": c[1], "title": t, "role": r, "seniority": s}
            for c in text.COMPANIES for t, r, s in text.JOB_TITLES
        ]

    def _company(self, c: tuple[str, str, str, int, int]) -> dict[str, Any]:
        city = text.CITIES[c[4]]
        return {"name": c[0], "legal_name": f"{c[0]} Ltd", "domain": c[1],
                "url": f"https://{c[1]}/", "description": f"{c[2]} company based in {city[2]}.",
                "timezone": city[5], "phones": [], "emails": [f"hello@{c[1]}"],
                "geolocation": self.geolocations[c[4]],
                "metrics": {"employees": c[3], "market_cap": 0, "raised": 0, "arr": 0},
                "tags": [c[2].lower()]}


class NewPerson:
    """A person while the dataset is built: the record plus what conversations reuse."""

    __slots__ = ("city", "first", "record")

    def __init__(self, record: Person, first: str, city: int) -> None:
        self.record = record
        self.first = first
        self.city = city


def make_person(rng: random.Random, pools: Pools, state: SandboxState, website_id: str,
                base: int) -> NewPerson:
    first, gender, first_slug = pools.names[rng.randrange(len(pools.names))]
    last, last_slug = pools.last_names[rng.randrange(len(pools.last_names))]
    city_idx = rng.randrange(len(text.CITIES))
    city = text.CITIES[city_idx]
    employed = rng.random() < 0.4
    job = rng.randrange(len(pools.employments)) if employed else -1
    employment = pools.employments[job] if employed else None
    email = _unique_email(rng, state, website_id, first_slug, last_slug,
                          employment["domain"] if employment else None)
    person: dict[str, Any] = {
        "nickname": f"{first} {last}",
        "avatar": f"{AVATAR_HOST}/{rng.randrange(1, 5000)}.jpg" if rng.random() < 0.4 else None,
        "gender": gender,
        "timezone": city[5],
        "geolocation": pools.geolocations[city_idx],
        "locales": pools.locales[city_idx],
    }
    if rng.random() < 0.5:
        person["phone"] = phone_number(rng, city[7])
    if rng.random() < 0.25:
        person["address"] = f"{rng.randrange(1, 200)} {city[8]}, {city[2]}"
    if rng.random() < 0.2:
        person["description"] = rng.choice(text.PERSON_DESCRIPTIONS)
    if employment is not None:
        person["employment"] = employment
        person["website"] = f"https://{employment['domain']}/"
    if rng.random() < 0.3:
        kind, prefix = PROFILE_SITES[rng.randrange(len(PROFILE_SITES))]
        handle = f"{first_slug.replace('.', '')}{last_slug}"
        person["profiles"] = [{"type": kind, "handle": handle, "url": prefix + handle}]
    created = base - rng.randrange(DAY_MS, WINDOW_MS)
    updated = created + rng.randrange(0, base - created)
    record = Person(
        people_id=seeded_uuid(rng),
        website_id=website_id,
        email=email,
        person=person,
        company=pools.companies[job // len(text.JOB_TITLES)] if employed
        and rng.random() < 0.7 else {},
        segments=_segments(rng),
        notepad=rng.choice(text.PERSON_NOTES) if rng.random() < 0.15 else "",
        score=rng.randrange(0, 101),
        created_at=created,
        updated_at=updated,
        active_last=updated,
        data=_person_data(rng),
        events=_person_events(rng, created, base),
    )
    return NewPerson(record, first, city_idx)


def _unique_email(rng: random.Random, state: SandboxState, website_id: str, first: str,
                  last: str, work_domain: str | None) -> str:
    domain = work_domain or text.EMAIL_DOMAINS[rng.randrange(len(text.EMAIL_DOMAINS))]
    style = rng.randrange(4)
    local = (f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}", f"{first}_{last}")[style]
    email = f"{local}@{domain}"
    taken = state.people_by_email
    while (website_id, email) in taken:  # emails are unique per website
        email = f"{local}{rng.randrange(2, 10_000)}@{domain}"
    return email


def phone_number(rng: random.Random, calling_code: str) -> str:
    return (f"{calling_code} {rng.randrange(100, 1000)} {rng.randrange(100, 1000)} "
            f"{rng.randrange(1000, 10_000)}")


def _segments(rng: random.Random) -> list[str]:
    r = rng.random()
    if r < 0.35:
        return []
    count = 1 if r < 0.8 else 2
    return sorted(set(rng.sample(text.SEGMENTS, count)))


def _person_data(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        return {}
    keys = text.PERSON_DATA_KEYS
    return {key: values[rng.randrange(len(values))]
            for key, values in keys[: 1 + rng.randrange(len(keys))]}


def _person_events(rng: random.Random, created: int, base: int) -> list[dict[str, Any]]:
    if rng.random() < 0.65:
        return []
    events = []
    ts = created
    for _ in range(1 + rng.randrange(3)):
        ts += rng.randrange(60_000, max(60_001, (base - ts) // 2))
        label, data, color = text.PERSON_EVENTS[rng.randrange(len(text.PERSON_EVENTS))]
        events.append({"text": label, "data": data, "color": color, "timestamp": ts})
    return events


def visitor_meta(rng: random.Random, pools: Pools, person: NewPerson | None,
                 visitor_no: int, subject: str | None) -> dict[str, Any]:
    """A conversation's meta; the person's identity when linked, anonymous otherwise."""
    if person is not None:
        record = person.record
        city_idx = person.city
        meta: dict[str, Any] = {"nickname": record.person["nickname"], "email": record.email}
        if "phone" in record.person and rng.random() < 0.5:
            meta["phone"] = record.person["phone"]
        if record.person["avatar"]:
            meta["avatar"] = record.person["avatar"]
        segments = list(record.segments)
    else:
        city_idx = rng.randrange(len(text.CITIES))
        meta = {"nickname": f"visitor{visitor_no}"}
        segments = []
    city = text.CITIES[city_idx]
    meta["ip"] = (f"{rng.randrange(2, 224)}.{rng.randrange(256)}.{rng.randrange(256)}."
                  f"{rng.randrange(1, 255)}")
    if subject:
        meta["subject"] = subject
    meta["origin"] = "chat"
    meta["segments"] = segments
    meta["data"] = {"cart_total": rng.randrange(10, 400)} if rng.random() < 0.2 else {}
    system = rng.randrange(len(pools.systems))
    meta["device"] = {
        "capabilities": pools.capabilities[system],
        "geolocation": pools.geolocations[city_idx],
        "system": pools.systems[system],
        "timezone": city[5],
        "locales": pools.locales[city_idx],
    }
    meta["connection"] = pools.connections[rng.randrange(len(pools.connections))]
    return meta

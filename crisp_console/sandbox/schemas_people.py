"""JSON Schemas of the people request bodies (crisp-api.md §2.3).

``web.validate`` turns a rejection into an ajv-style ``invalid_data`` message naming the field.

UNCONFIRMED choices (see sandbox/README.md):
- Unknown top-level profile keys are rejected; inside ``person`` and ``company`` the known keys
  are type-checked and others are let through (Crisp's card has grown over the years).
- Adding a profile needs ``email`` and ``person.nickname`` (the dashboard asks for both).
- ``active`` on a profile write is an epoch-ms number (node types it so), stored as active.last.
- Event colours are the ten Crisp shows in the dashboard.
"""

from __future__ import annotations

from typing import Any

_STRING: dict[str, Any] = {"type": "string"}
_NONEMPTY: dict[str, Any] = {"type": "string", "minLength": 1}
_STRINGS: dict[str, Any] = {"type": "array", "items": _STRING}
_SCALAR: dict[str, Any] = {"type": ["string", "number", "boolean"]}
# Deliberately loose (one @, a dot in the domain), as for conversation metas.
EMAIL: dict[str, Any] = {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"}

_GEOLOCATION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "country": _STRING, "region": _STRING, "city": _STRING,
        "coordinates": {"type": "object",
                        "properties": {"latitude": {"type": "number"},
                                       "longitude": {"type": "number"}}},
    },
}

PERSON: dict[str, Any] = {
    "type": "object",
    "properties": {
        "nickname": {"type": "string", "minLength": 1, "maxLength": 200},
        "avatar": {"type": ["string", "null"]},
        "cover": {"type": ["string", "null"]},
        "gender": {"enum": ["male", "female", "other", None]},
        "phone": _STRING, "address": _STRING, "description": _STRING, "website": _STRING,
        "timezone": {"type": "integer", "minimum": -840, "maximum": 840},
        "profiles": {"type": "array",
                     "items": {"type": "object", "required": ["type", "handle"],
                               "properties": {"type": _NONEMPTY, "handle": _NONEMPTY,
                                              "url": _STRING}}},
        "employment": {"type": "object",
                       "properties": {k: _STRING for k in ("name", "domain", "title", "role",
                                                           "seniority")}},
        "geolocation": _GEOLOCATION,
        "locales": _STRINGS,
    },
}

COMPANY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": _STRING, "legal_name": _STRING, "domain": _STRING, "url": _STRING,
        "description": _STRING, "timezone": {"type": "integer"},
        "phones": _STRINGS, "emails": _STRINGS, "tags": _STRINGS,
        "geolocation": _GEOLOCATION,
        "metrics": {"type": "object",
                    "properties": {k: {"type": "number"} for k in ("employees", "market_cap",
                                                                    "raised", "arr")}},
    },
}


def _profile(required: tuple[str, ...], person: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {
            "email": EMAIL,
            "person": person,
            "company": COMPANY,
            "segments": {"type": "array", "items": _NONEMPTY, "maxItems": 100},
            "notepad": {"type": "string", "maxLength": 10000},
            "active": {"type": "integer", "minimum": 0},
        },
    }


ADD_PROFILE = _profile(("email", "person"), {**PERSON, "required": ["nickname"]})
UPDATE_PROFILE = _profile((), PERSON)

# Values are flat: strings, numbers or booleans (crisp-api.md §2.3).
PEOPLE_DATA: dict[str, Any] = {
    "type": "object",
    "maxProperties": 200,
    "propertyNames": {"minLength": 1, "maxLength": 100},
    "additionalProperties": _SCALAR,
}

EVENT_COLORS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "grey",
                "black")
ADD_EVENT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text"],
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 250},
        "data": PEOPLE_DATA,
        "color": {"enum": list(EVENT_COLORS)},
    },
}

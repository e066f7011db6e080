"""Canned responses: the ``!shortcut`` replies of the composer (console-ux.md (b)).

For now they come from ``resources/canned/responses.json`` (later from Crisp's shortcuts and
a user file). The file is validated against ``resources/schemas/canned.schema.json``; a file
that is missing, unreadable or invalid is logged and gives no responses. It never stops the
console.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from crisp_console.present.canned import CannedResponse
from crisp_console.settings import resource_path

log = logging.getLogger(__name__)


def default_path() -> Path:
    return resource_path("canned", "responses.json")


def schema_path() -> Path:
    return resource_path("schemas", "canned.schema.json")


def load_canned(path: Path | None = None) -> list[CannedResponse]:
    """The responses in ``path`` (default: the bundled file), in file order. A repeated
    shortcut keeps its first response (logged)."""
    path = default_path() if path is None else path
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        schema: Any = json.loads(schema_path().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("canned responses not loaded from %s: %s", path, exc)
        return []
    import jsonschema  # 50 ms of imports: loaded when canned responses are read, not at start

    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        log.warning("canned responses in %s are invalid at %s: %s; none loaded",
                    path, where, error.message)
        return []
    responses: list[CannedResponse] = []
    seen: set[str] = set()
    for item in data:
        if item["shortcut"] in seen:
            log.warning("canned responses in %s: !%s is defined twice; keeping the first",
                        path, item["shortcut"])
            continue
        seen.add(item["shortcut"])
        responses.append(CannedResponse(item["shortcut"], item["title"], item["text"],
                                        item.get("locale")))
    return responses

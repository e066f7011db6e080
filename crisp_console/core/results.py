"""What ``Store.apply()`` and the bulk loaders report to their caller (the client)."""

from __future__ import annotations

import enum


class ApplyResult(enum.Enum):
    APPLIED = "applied"  # the store changed
    IGNORED = "ignored"  # a known event with nothing to do (duplicate, no-op, not kept)
    UNKNOWN_TARGET = "unknown_target"  # its conversation/website/… is not in the store
    MALFORMED = "malformed"  # wrong shape: logged and dropped
    UNKNOWN_EVENT = "unknown_event"  # no handler for that name: logged and dropped


APPLIED = ApplyResult.APPLIED
IGNORED = ApplyResult.IGNORED
UNKNOWN_TARGET = ApplyResult.UNKNOWN_TARGET


def result(changed: bool) -> ApplyResult:
    return APPLIED if changed else IGNORED

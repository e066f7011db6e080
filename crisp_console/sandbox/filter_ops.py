"""Operators of Crisp's filter search (``search_type=filter`` and people ``search_filter``).

One implementation for conversations and people, so both lists read a filter alike:
eq/neq on folded values, has/has_not as substring (an empty query means "is set"), and
gt/gte/lt/lte numeric when both sides are numbers, otherwise on folded text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from crisp_console.sandbox.web import invalid_data

T = TypeVar("T")


def norm(value: Any) -> Any:
    """A comparable form: numbers as float, booleans and strings as folded text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    try:
        return float(text)
    except ValueError:
        return text.casefold()


def compare(op: str, value: Any, ref: Any) -> bool:
    a, b = norm(value), norm(ref)
    if isinstance(a, float) != isinstance(b, float):
        a, b = str(a), str(b)
    if op == "gt":
        return bool(a > b)
    if op == "gte":
        return bool(a >= b)
    if op == "lt":
        return bool(a < b)
    return bool(a <= b)


def criterion_test(values_of: Callable[[T], list[Any]], op: str, query: list[Any],
                   missing_query: str) -> Callable[[T], bool]:
    """A predicate for one criterion; ``missing_query`` is the error when a comparison
    operator comes without a value."""
    if op in ("eq", "neq"):
        wanted = {norm(q) for q in query}

        def eq(item: T) -> bool:
            return any(norm(v) in wanted for v in values_of(item))

        return eq if op == "eq" else (lambda item: not eq(item))
    if op in ("has", "has_not"):
        needles = [str(q).casefold() for q in query]

        def has(item: T) -> bool:
            values = [str(v).casefold() for v in values_of(item)]
            if not needles:
                return bool(values)
            return any(n in v for v in values for n in needles)

        return has if op == "has" else (lambda item: not has(item))
    if not query:
        raise invalid_data(missing_query)
    ref = query[0]
    return lambda item: any(compare(op, v, ref) for v in values_of(item))

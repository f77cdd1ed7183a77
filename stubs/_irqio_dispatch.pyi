"""
irqio's frozen Python helper (modules/_irqio_dispatch.py): the coroutine behind
EventStream.dispatch(). Use es.dispatch(...); this module is private.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Mapping, Optional

from irqio import EventStream

async def dispatch(
    stream: EventStream,
    handlers: Mapping[int, Callable[[int, int, int], Optional[Awaitable[Any]]]],
    default: Optional[Callable[[int, int, int], Optional[Awaitable[Any]]]] = None,
    priority: Optional[bool] = None,
) -> int:
    """Calls handlers[tag] (or default) for each event of `stream` until it is closed and drained; returns the count."""

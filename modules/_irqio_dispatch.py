# EventStream.dispatch(): runs ordinary Python callbacks for interrupt events, in
# asyncio context, where anything is allowed (allocation, I/O, creating tasks).
# Frozen into the firmware with modules/manifest.py; irqio's C code imports it.
from asyncio.core import Task


async def dispatch(stream, handlers, default=None, priority=None):
    # Each event (tag, value, t_us) goes to handlers[tag](tag, value, t_us), or to
    # default(...) for a tag with no entry. A callback may return an awaitable (a
    # coroutine, a Task, an object with __await__), which is awaited before the next
    # event. An event with no callback at all raises KeyError: losing it silently
    # would hide a wiring mistake. `priority` is get()'s (None: the stream's own).
    # Returns the number of events dispatched once the stream is closed and drained.
    count = 0
    while True:
        try:
            tag, value, t_us = await stream.get(priority=priority)
        except EOFError:
            return count
        callback = handlers.get(tag, default)
        if callback is None:
            raise KeyError(tag)
        result = callback(tag, value, t_us)
        if result is not None:
            if hasattr(result, "__await__"):
                # MicroPython's await iterates: await the object's own iterator.
                result = result.__await__()
            if hasattr(result, "send") or isinstance(result, Task):
                await result
        count += 1

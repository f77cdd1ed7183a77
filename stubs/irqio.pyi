"""
Interrupt handlers that talk to asyncio safely: a wake-at-once flag, a byte ring
and a stream of timestamped events, all fed allocation-free from hard IRQs,
threads, the other core or signal handlers.

Type stubs for editors and type checkers (Pylance/pyright, mypy). Reference:
docs/api.md in the irqio repository.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Final, Mapping, Optional, Tuple, Union, overload

from _typeshed import ReadableBuffer, WriteableBuffer

__version__: Final[str]
"""irqio's version, e.g. "0.1.0"."""

_Event = Tuple[int, int, int]
"""One event: (tag, value, t_us)."""

_EventCallback = Callable[[int, int, int], Optional[Awaitable[Any]]]
"""callback(tag, value, t_us); may return an awaitable, awaited before the next event."""

class ThreadSafeFlag:
    """
    A drop-in for asyncio.ThreadSafeFlag that wakes the event loop at once.

    set() is safe from hard interrupt handlers, other threads, the other core and
    POSIX signal handlers, and allocates nothing. Coalesced set() calls are counted
    (`count`) and the first one is timestamped (`timestamp`). One task waits at a
    time.
    """

    def __init__(self) -> None: ...
    def set(self) -> None:
        """Sets the flag and wakes the waiting task. Interrupt-safe; never raises."""

    def clear(self) -> None:
        """Clears the flag, discarding pending set() calls."""

    def is_set(self) -> bool:
        """Whether the flag is set."""

    async def wait(self, *, priority: bool = False, timeout_ms: Optional[int] = None) -> None:
        """
        Waits until the flag is set, then clears it.

        `priority=True`: the woken task runs next, ahead of tasks already due.
        `timeout_ms`: give up after that many milliseconds (asyncio.TimeoutError)
        without consuming a set() it does not deliver.

        A second task waiting on the same flag gets RuntimeError.
        """

    @property
    def count(self) -> int:
        """How many set() calls were coalesced into the last wake (0 before the first)."""

    @property
    def timestamp(self) -> Optional[int]:
        """time.ticks_us() of the set() that opened the last wake's round; None before the first wake."""

    def ioctl(self, request: int, arg: int, /) -> int:
        """The stream ioctl (used by select.poll and asyncio)."""

class RingIO:
    """
    A byte ring with the stream protocol: a drop-in for micropython.RingIO with a
    chosen overflow policy and every refused byte counted in `dropped`.

    write() is safe from hard interrupt handlers, threads, the other core and
    signal handlers, from any number of producers at once; one consumer reads.
    Reading an empty open ring returns None ("would block").
    """

    TRUNCATE: Final[int] = 0
    """Overflow policy: store what fits, drop (and count) the rest. The default."""
    REJECT: Final[int] = 1
    """Overflow policy: all or nothing; a write that does not fit whole stores 0 bytes."""
    OVERWRITE: Final[int] = 2
    """Overflow policy: discard the oldest unread bytes to make room."""

    def __init__(
        self, size_or_buffer: Union[int, WriteableBuffer], /, overflow: int = 0, *, priority: bool = False
    ) -> None:
        """
        RingIO(size) holds `size` bytes; RingIO(buffer) holds len(buffer) - 1 bytes
        (the buffer is only measured). `overflow`: TRUNCATE, REJECT or OVERWRITE.
        `priority`: the default for areadinto() and StreamReader reads.
        """

    @overload
    def write(self, buf: ReadableBuffer, /) -> int: ...
    @overload
    def write(self, buf: ReadableBuffer, max_len: int, /) -> int: ...
    @overload
    def write(self, buf: ReadableBuffer, off: int, max_len: int, /) -> int:
        """
        Writes under the ring's overflow policy; returns the bytes stored (what was
        refused is counted in `dropped`). Interrupt-safe; OSError(EPIPE) once closed.
        """

    def read(self, size: int = -1, /) -> Optional[bytes]:
        """Up to `size` bytes (all ready bytes by default); None if empty and open; b'' at end of stream."""

    @overload
    def readinto(self, buf: WriteableBuffer, /) -> Optional[int]: ...
    @overload
    def readinto(self, buf: WriteableBuffer, nbytes: int, /) -> Optional[int]:
        """Reads into `buf`; returns the count, None if empty and open, 0 at end of stream."""

    def readline(self, size: int = -1, /) -> Optional[bytes]:
        """Bytes up to and including a newline (or `size` bytes)."""

    async def areadinto(
        self, buf: WriteableBuffer, *, priority: Optional[bool] = None, timeout_ms: Optional[int] = None
    ) -> int:
        """
        Waits for data and reads it into `buf` without StreamReader (allocation-free
        once warm); returns the count, 0 at end of stream. `priority=None` uses the
        ring's own `priority`.
        """

    def any(self) -> int:
        """Bytes ready to read."""

    def free(self) -> int:
        """Bytes a write can take now."""

    def close(self) -> None:
        """Closes the ring: readers get what is stored, then end of stream; writers OSError(EPIPE)."""

    def reset_stats(self) -> int:
        """Returns `dropped` and restarts it and `high_water`; the data stays."""

    def ioctl(self, request: int, arg: int, /) -> int:
        """The stream ioctl (used by select.poll and asyncio)."""

    @property
    def capacity(self) -> int:
        """Bytes the ring holds."""

    @property
    def dropped(self) -> int:
        """Bytes refused or overwritten since creation or reset_stats()."""

    @property
    def high_water(self) -> int:
        """Most bytes ever held at once."""

    @property
    def overflow(self) -> int:
        """The overflow policy."""

    @property
    def closed(self) -> bool:
        """Whether close() was called."""

    priority: bool
    """Whether readers wake with priority by default (constructor keyword; may be set)."""

class _EventHandler:
    """
    A native interrupt handler made by EventStream.handler(tag): pass it to
    Pin.irq(handler=..., hard=True) or Timer(callback=...). Each call posts the tag
    with the pin's level (given a machine.Pin) or the handler's firing count.
    """

    def __call__(self, arg: object = None, /) -> None: ...

class EventStream:
    """
    A queue of timestamped interrupt events (tag, value, t_us), fed allocation-free
    from hard IRQs, threads, the other core and signal handlers, read by one
    asyncio consumer. Every lost event is counted in `dropped`.
    """

    DROP_NEWEST: Final[int] = 0
    """Overflow policy: a post to a full stream is refused (and counted). The default."""
    OVERWRITE_OLDEST: Final[int] = 1
    """Overflow policy: a post to a full stream discards the oldest event."""
    RECORD_SIZE: Final[int] = 12
    """Bytes per packed record: struct.unpack("<HxxiI", record) gives tag, value, t_us."""

    def __init__(self, capacity: int, overflow: int = 0, *, priority: bool = False) -> None:
        """
        A stream of up to `capacity` events. `overflow`: DROP_NEWEST or
        OVERWRITE_OLDEST. `priority`: the default for get(), get_into(), async for
        and dispatch().
        """

    def post(self, tag: int, value: int = 0, /) -> bool:
        """
        Posts (tag 0..65535, value a signed 32-bit int, timestamped now); returns
        whether it was stored. Interrupt-safe; OSError(EPIPE) once closed.
        """

    def handler(self, tag: int, /) -> _EventHandler:
        """A native interrupt handler posting `tag`; make it once, up front."""

    async def get(self, *, priority: Optional[bool] = None, timeout_ms: Optional[int] = None) -> _Event:
        """
        The next event as (tag, value, t_us); EOFError once closed and drained.
        `priority=None` uses the stream's own `priority`.
        """

    async def get_into(
        self, buf: WriteableBuffer, *, priority: Optional[bool] = None, timeout_ms: Optional[int] = None
    ) -> int:
        """
        Waits for events and copies whole RECORD_SIZE-byte records into `buf`
        (allocation-free once warm); returns how many records, 0 at end of stream.
        """

    def __aiter__(self) -> EventStream: ...
    async def __anext__(self) -> _Event: ...
    async def dispatch(
        self, handlers: Mapping[int, _EventCallback], default: Optional[_EventCallback] = None, *, priority: Optional[bool] = None
    ) -> int:
        """
        Calls handlers[tag](tag, value, t_us) (or `default`) for each event in asyncio
        context, awaiting any awaitable a callback returns; KeyError for an event
        with no callback. Returns the number of events once the stream is closed
        and drained.
        """

    def any(self) -> int:
        """Events waiting."""

    def read(self, size: int = -1, /) -> Optional[bytes]:
        """Packed records (RECORD_SIZE bytes each); None if empty and open; b'' at end of stream."""

    @overload
    def readinto(self, buf: WriteableBuffer, /) -> Optional[int]: ...
    @overload
    def readinto(self, buf: WriteableBuffer, nbytes: int, /) -> Optional[int]:
        """Packed records into `buf`; the count of bytes, None if empty and open, 0 at end of stream."""

    def close(self) -> None:
        """Closes the stream: the consumer gets every stored event, then end of stream."""

    def reset_stats(self) -> int:
        """Returns `dropped` and restarts it and `high_water`; queued events stay."""

    def ioctl(self, request: int, arg: int, /) -> int:
        """The stream ioctl (used by select.poll and asyncio)."""

    @property
    def capacity(self) -> int:
        """Events the stream holds."""

    @property
    def dropped(self) -> int:
        """Events lost since creation or reset_stats()."""

    @property
    def high_water(self) -> int:
        """Most events ever queued at once."""

    @property
    def overflow(self) -> int:
        """The overflow policy."""

    @property
    def closed(self) -> bool:
        """Whether close() was called."""

    priority: bool
    """Whether the consumer wakes with priority by default (constructor keyword; may be set)."""

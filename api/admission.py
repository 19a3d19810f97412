"""Admission of requests to the database: bounded slots, a bounded queue, 503 beyond.

A request takes a slot on the event loop, before any thread is used, and holds it while it has a
session. There are never more slots than pooled connections, so a thread never waits for a
connection while the connection holders wait for a thread (the deadlock this replaces). When all
slots are taken a request waits in line a bounded time; a full line or a long wait answers 503
with `Retry-After` at once instead of piling up.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Overloaded(Exception):
    """Every database slot is busy and the line is full or moved too slowly."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("the service is busy; try again shortly")
        self.retry_after_s = retry_after_s


class Admission:
    """At most `slots` requests hold a database session at once; at most `queue_max` wait."""

    def __init__(self, slots: int, *, queue_max: int, wait_s: float) -> None:
        self.slots = slots
        self.queue_max = queue_max
        self.wait_s = wait_s
        self.waiting = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore_here(self) -> asyncio.Semaphore:
        """The semaphore of the running loop (a test client may run the app on several loops)."""
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.slots), loop
        return self._semaphore

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the block, or raise `Overloaded`."""
        semaphore = self._semaphore_here()
        if semaphore.locked() and self.waiting >= self.queue_max:
            raise Overloaded(retry_after_s=max(1, round(self.wait_s)))
        self.waiting += 1
        try:
            await asyncio.wait_for(semaphore.acquire(), self.wait_s)
        except TimeoutError:
            raise Overloaded(retry_after_s=max(1, round(self.wait_s))) from None
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            semaphore.release()

"""An open-loop HTTP/1.1 load generator: requests leave on a fixed schedule whatever the answers.

Each request has a scheduled instant (`start + i / rate`); its latency is measured from that
instant, not from when it could actually be sent, so time spent queueing (in the server, in the
kernel's accept queue, or behind a late generator) is counted. Connections are kept alive and
reused; a new one is opened whenever none is idle, so a slow server gets more connections, never
fewer requests. The client is a few hand-written lines on asyncio streams (uvloop when present):
a general client such as httpx spends several times more CPU per request, which on two cores
shared with the server would cap the rate the generator can keep.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass
class Target:
    """One endpoint: its name and the raw requests sent to it in turn."""

    name: str
    requests: Sequence[bytes]
    turn: int = 0

    def next_request(self) -> bytes:
        """The next raw request, cycling."""
        raw = self.requests[self.turn % len(self.requests)]
        self.turn += 1
        return raw


@dataclass
class Tally:
    """What one endpoint answered: latencies (s) in completion order, outcomes, sending lag."""

    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    first_sent: float = math.inf
    last_sent: float = 0.0
    max_lag: float = 0.0

    def ok(self) -> int:
        """Answers with a 2xx status."""
        return sum(n for outcome, n in self.outcomes.items() if outcome.startswith("2"))

    def errors(self) -> dict[str, int]:
        """Everything else, by status or by what went wrong."""
        return {k: n for k, n in sorted(self.outcomes.items()) if not k.startswith("2")}


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of some values, NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class Client:
    """Keep-alive connections to one server, opened as the open loop needs them."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.idle: list[Connection] = []

    async def send(self, raw: bytes) -> int:
        """Send one request and read its answer; the status, or an exception after the timeout."""
        async with asyncio.timeout(self.timeout_s):
            while self.idle:
                conn = self.idle.pop()
                if conn[0].at_eof():
                    conn[1].close()
                    continue
                try:
                    return await self._exchange(conn, raw)
                except (ConnectionError, asyncio.IncompleteReadError):
                    break  # the server closed an idle keep-alive connection: use a new one
            conn = await asyncio.open_connection(self.host, self.port)
            return await self._exchange(conn, raw)

    async def _exchange(self, conn: Connection, raw: bytes) -> int:
        reader, writer = conn
        try:
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                await reader.readexactly(int(lower[at + 17 : lower.find(b"\r\n", at + 2)]))
            elif b"chunked" in lower:
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")
            else:
                await reader.read()
                lower += b"\r\nconnection: close"
        except BaseException:
            writer.close()
            raise
        if b"\r\nconnection: close" in lower:
            writer.close()
        else:
            self.idle.append(conn)
        return int(head[9:12])

    def close(self) -> None:
        """Close every idle connection."""
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _one(client: Client, raw: bytes, due: float, tally: Tally) -> None:
    now = time.monotonic()
    tally.sent += 1
    tally.first_sent = min(tally.first_sent, now)
    tally.last_sent = now
    tally.max_lag = max(tally.max_lag, now - due)
    try:
        outcome = str(await client.send(raw))
    except TimeoutError:
        outcome = "timeout"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        outcome = type(exc).__name__
    done = time.monotonic()
    tally.latencies.append(done - due)
    tally.finished.append(done)
    tally.outcomes[outcome] += 1


async def drive(
    client: Client, targets: Sequence[Target], rate: float, seconds: float, tallies: dict[str, Tally]
) -> None:
    """Send rate × seconds requests on schedule, taking the targets in turn; wait for every answer."""
    start = time.monotonic() + 0.05
    pending: set[asyncio.Task[None]] = set()
    for i in range(round(rate * seconds)):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        target = targets[i % len(targets)]
        task = asyncio.create_task(_one(client, target.next_request(), due, tallies[target.name]))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending)

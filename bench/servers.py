"""Servers the load bench starts and stops: in their own process group, watched through /proc."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bench.openloop import Client

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STOP_GRACE_S = 15.0
T = TypeVar("T")


@dataclass
class Server:
    """A server process we started in its own process group, and where its output goes."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    log: Path
    health: str
    process: subprocess.Popen[bytes] | None = None


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on uvloop when it is installed (it is with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start(server: Server) -> None:
    """Start the server and wait until it answers its health path (60 s at most)."""
    with server.log.open("ab") as out:
        server.process = subprocess.Popen(
            server.argv, cwd=ROOT, env=server.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start; see {server.log}")
        if run(answers(server, 1.0)):
            return
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not answer in 60 s; see {server.log}")


async def answers(server: Server, timeout_s: float) -> bool:
    """True when the server's health path answers 200 within the timeout."""
    client = Client(HOST, server.port, timeout_s)
    raw = f"GET {server.health} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    try:
        return await client.send(raw) == 200
    except (OSError, asyncio.IncompleteReadError, ValueError):
        return False
    finally:
        client.close()


def group_pids(pgid: int) -> list[int]:
    """Every live process of a process group (read from /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return sorted(pids)


def stop(server: Server) -> str:
    """SIGTERM to the server's main process; SIGKILL to its whole group after 15 s or leftovers."""
    process = server.process
    if process is None:
        return f"{server.name}: not started"
    began = time.monotonic()
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE_S)
        note = f"{server.name}: SIGTERM stopped it in {time.monotonic() - began:.1f} s"
    except subprocess.TimeoutExpired:
        note = f"{server.name}: still running {STOP_GRACE_S:.0f} s after SIGTERM, SIGKILLed"
    leftovers = group_pids(process.pid)
    for _ in range(20):  # children see their parent go a moment later
        if not leftovers or process.returncode is None:
            break
        time.sleep(0.1)
        leftovers = group_pids(process.pid)
    if leftovers:
        names = ", ".join(process_label(pid, process.pid) for pid in leftovers)
        note += f" (still alive then: {names})"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    server.process = None
    return note


@dataclass(frozen=True, slots=True)
class CpuClock:
    """CPU seconds used so far by this process, the server's processes, PostgreSQL, the machine."""

    wall: float
    generator: float
    server: float
    postgres: float
    machine: float

    @classmethod
    def read(cls, server: Server | None) -> CpuClock:
        """The clocks now, from /proc."""
        tick = os.sysconf("SC_CLK_TCK")
        group, postgres = _cpu_ticks(server.process.pid if server and server.process else None)
        cpu = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        busy = sum(cpu) - cpu[3] - cpu[4]  # all but idle and iowait
        return cls(
            time.monotonic(), time.process_time(), group / tick, postgres / tick, busy / tick
        )

    def since(self, before: CpuClock) -> dict[str, int]:
        """Percent of one core used by each in between; `other` is the rest of the machine's."""
        wall = self.wall - before.wall
        used = {
            name: round(100 * (getattr(self, name) - getattr(before, name)) / wall)
            for name in ("generator", "server", "postgres", "machine")
        }
        used["other"] = used["machine"] - used["generator"] - used["server"] - used["postgres"]
        return used


def _cpu_ticks(pgid: int | None) -> tuple[int, int]:
    """Ticks used by a process group and by PostgreSQL's processes, their reaped children included."""
    group = postgres = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        ticks = sum(int(n) for n in fields[11:15])  # utime, stime, cutime, cstime
        if pgid is not None and int(fields[2]) == pgid:
            group += ticks
        elif comm.startswith("postgres"):
            postgres += ticks
    return group, postgres


async def settle(server: Server, limit_s: float) -> float | None:
    """Seconds until the health path answers within 1 s again, None if not within the limit."""
    began = time.monotonic()
    while time.monotonic() - began < limit_s:
        if await answers(server, 1.0):
            return round(time.monotonic() - began, 1)
        await asyncio.sleep(1.0)
    return None


def rss_mib(server: Server) -> dict[str, float]:
    """Resident memory (MiB) of every process of the server's group by label, from /proc."""
    assert server.process is not None
    sizes = {}
    for pid in group_pids(server.process.pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), 0)
        sizes[process_label(pid, server.process.pid)] = int(kib) / 1024
    return sizes


def process_label(pid: int, main_pid: int) -> str:
    """main, worker or helper (multiprocessing's resource tracker), from /proc."""
    if pid == main_pid:
        return "main"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"gone {pid}"
    return f"helper {pid}" if b"resource_tracker" in cmdline else f"worker {pid}"

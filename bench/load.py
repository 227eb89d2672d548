"""A bounded load generator: simulated tablets long-polling sync on loopback, with asyncio.

Each simulated tablet holds one keep-alive connection and loops on
`GET /api/v1/device/sync?cursor=C&wait=W`, as the real tablet does (W = 25 s there). They start
evenly over the first W seconds, so requests arrive at N/W per second from the start, as in a
fleet that has been running for a while. Alongside:

- *probes*: a few other tablets send an unchanged sync (no wait) twice a second; their round
  trip is the latency a tablet feels for a plain request at this load;
- *changes*: once a second a care manager posts a message to a tablet that is waiting; the time
  from that POST being sent to the tablet's answer is the push latency at this load.

Raw HTTP/1.1 on asyncio streams rather than an HTTP client library: at 10,000 connections the
generator shares the machine's two cores with the backend, and must cost it as little as
possible. Everything is bounded: the run stops after `duration` seconds and every request has
a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.backend import encode_request, exchange

SYNC = "/api/v1/device/sync"
GRACE = 30.0  # a request still unanswered this long after its wait counts as an error


@dataclass
class LoadResult:
    tablets: int
    duration: float
    polls: int = 0  # long-polls answered 200
    lateness: list[float] = field(default_factory=list)  # held polls: answer time minus wait
    probe: list[float] = field(default_factory=list)  # unchanged sync round trips
    push: list[float] = field(default_factory=list)  # POST sent → the tablet's answer
    posted: int = 0  # messages posted
    errors: Counter[str] = field(default_factory=Counter)
    connected_peak: int = 0
    requests: int = 0  # every answer: polls, probes, posts
    # The steady window (after every tablet's first poll is out, to the end): the backend's CPU
    # seconds (the `cpu` callable of run_load) and the answers counted over it.
    window_seconds: float = 0.0
    window_cpu: float = 0.0
    window_polls: int = 0
    window_requests: int = 0

    @property
    def cpu_per_poll_ms(self) -> float:
        """Backend CPU over the steady window per long-poll answered in it (ms)."""
        return self.window_cpu / self.window_polls * 1000 if self.window_polls else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def raise_fd_limit(needed: int) -> None:
    """Each simulated tablet is one socket: lift the soft RLIMIT_NOFILE up to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        raise RuntimeError(f"RLIMIT_NOFILE hard limit {hard} is below the {needed} sockets needed")


class _Run:
    def __init__(
        self,
        port: int,
        credentials: list[str],
        beneficiary_ids: list[int],
        cm_headers: dict[str, str],
        wait: float,
        duration: float,
        probes: int,
        change_every: float,
        cpu: Callable[[], float] | None = None,
    ) -> None:
        self.port = port
        self.cpu = cpu
        self.wait = wait
        self.duration = duration
        self.change_every = change_every
        self.cm_headers = cm_headers
        self.probe_credentials = credentials[:probes]
        self.tablets = list(zip(beneficiary_ids[probes:], credentials[probes:], strict=True))
        self.result = LoadResult(len(self.tablets), duration)
        self.waiting: set[int] = set()  # beneficiaries whose tablet has a long-poll out
        self.posted_at: dict[int, float] = {}
        self.connected = 0
        self.stop_at = 0.0

    def running(self) -> bool:
        return time.perf_counter() < self.stop_at

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
        self.connected += 1
        self.result.connected_peak = max(self.result.connected_peak, self.connected)
        return reader, writer

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        self.connected -= 1
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    async def tablet(self, delay: float, beneficiary_id: int, credential: str) -> None:
        await asyncio.sleep(delay)
        cursor = "0"
        headers = {"Authorization": f"Bearer {credential}"}
        while self.running():
            try:
                reader, writer = await self._connect()
            except OSError as exc:
                self.result.errors[f"connect: {type(exc).__name__}"] += 1
                await asyncio.sleep(1 + random.random())
                continue
            try:
                while self.running():
                    raw = encode_request(
                        "GET", f"{SYNC}?cursor={cursor}&wait={self.wait:g}", headers=headers
                    )
                    self.waiting.add(beneficiary_id)
                    try:
                        answer = await asyncio.wait_for(
                            exchange(reader, writer, raw), self.wait + GRACE
                        )
                    finally:
                        self.waiting.discard(beneficiary_id)
                    self.result.requests += 1
                    if answer.status != 200:
                        self.result.errors[f"HTTP {answer.status}"] += 1
                        await asyncio.sleep(1 + random.random())
                        continue
                    self.result.polls += 1
                    body = answer.json()
                    posted = self.posted_at.pop(beneficiary_id, None)
                    if body["upserts"]:
                        if posted is not None:
                            self.result.push.append(time.perf_counter() - posted)
                    else:
                        self.result.lateness.append(answer.seconds - self.wait)
                    cursor = body["cursor"]
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                if self.running():
                    self.result.errors[f"connection: {type(exc).__name__}"] += 1
            except TimeoutError:
                self.result.errors["no answer in time"] += 1
            finally:
                await self._close(writer)

    async def probe(self, credential: str) -> None:
        headers = {"Authorization": f"Bearer {credential}"}
        raw = encode_request("GET", f"{SYNC}?cursor=0", headers=headers)
        reader, writer = await self._connect()
        try:
            while self.running():
                answer = await asyncio.wait_for(exchange(reader, writer, raw), GRACE)
                self.result.requests += 1
                if answer.status == 200:
                    self.result.probe.append(answer.seconds)
                else:
                    self.result.errors[f"probe HTTP {answer.status}"] += 1
                await asyncio.sleep(0.5)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            self.result.errors[f"probe: {type(exc).__name__}"] += 1
        finally:
            await self._close(writer)

    async def changes(self) -> None:
        """A care manager posts a message to one waiting tablet every `change_every` seconds."""
        if self.change_every <= 0:
            return
        reader, writer = await self._connect()
        try:
            number = 0
            while self.running():
                await asyncio.sleep(self.change_every)
                if not self.waiting or not self.running():
                    continue
                beneficiary_id = random.choice(tuple(self.waiting))
                number += 1
                body = json.dumps({"space": "daily", "body": f"Message de charge n° {number}"})
                raw = encode_request(
                    "POST",
                    f"/api/v1/beneficiaries/{beneficiary_id}/messages",
                    body.encode(),
                    {**self.cm_headers, "Content-Type": "application/json"},
                )
                self.posted_at[beneficiary_id] = time.perf_counter()
                answer = await asyncio.wait_for(exchange(reader, writer, raw), GRACE)
                self.result.requests += 1
                if answer.status == 201:
                    self.result.posted += 1
                else:
                    self.posted_at.pop(beneficiary_id, None)
                    self.result.errors[f"post HTTP {answer.status}"] += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            self.result.errors[f"post: {type(exc).__name__}"] += 1
        finally:
            await self._close(writer)

    async def run(self) -> LoadResult:
        self.stop_at = time.perf_counter() + self.duration
        ramp = min(self.wait, self.duration)
        count = max(1, len(self.tablets))
        tasks = [
            asyncio.create_task(self.tablet(ramp * i / count, beneficiary_id, credential))
            for i, (beneficiary_id, credential) in enumerate(self.tablets)
        ]
        tasks += [asyncio.create_task(self.probe(c)) for c in self.probe_credentials]
        tasks.append(asyncio.create_task(self.changes()))
        # The steady window starts once every tablet has sent its first poll and the first
        # answers come back at the fleet's rate (wait + ramp spread), if the run is long enough.
        settle = min(self.wait + 2.0, self.duration / 2)
        await asyncio.sleep(settle)
        cpu_start = self.cpu() if self.cpu else 0.0
        polls_start, requests_start = self.result.polls, self.result.requests
        window_start = time.perf_counter()
        await asyncio.sleep(max(0.0, self.stop_at - time.perf_counter()))
        self.result.window_seconds = time.perf_counter() - window_start
        self.result.window_cpu = (self.cpu() if self.cpu else 0.0) - cpu_start
        self.result.window_polls = self.result.polls - polls_start
        self.result.window_requests = self.result.requests - requests_start
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return self.result


def run_load(
    port: int,
    credentials: list[str],
    beneficiary_ids: list[int],
    cm_headers: dict[str, str],
    *,
    wait: float = 25.0,
    duration: float = 30.0,
    probes: int = 4,
    change_every: float = 1.0,
    cpu: Callable[[], float] | None = None,
) -> LoadResult:
    """Simulate `len(credentials) - probes` long-polling tablets for `duration` seconds.

    `cpu`: the backend's CPU seconds so far (bench.measure.tree_cpu_seconds of its pid), read at
    both ends of the steady window. `change_every` 0 and `probes` 0: an idle fleet only."""
    raise_fd_limit(len(credentials) + 64)
    run = _Run(
        port, credentials, beneficiary_ids, cm_headers, wait, duration, probes, change_every, cpu
    )
    return asyncio.run(run.run())

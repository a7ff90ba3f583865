"""A wrk-style load generator in Python, for machines without ``wrk``: ``threads`` processes, each
keeping ``connections / threads`` requests in flight for ``duration`` seconds (asyncio, one
request per connection as gunicorn's sync workers answer), and the same figures as the wrk script
of ``bench/load.py`` (requests, duration, errors, non-2xx, p50/p95/p99 latency in µs).

It costs more CPU per request than wrk, on the same machine as the server: the reference (the
health endpoint) is measured with it too, so a ratio compares like with like."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from urllib.parse import urlsplit


async def _one(host: str, port: int, request: bytes, timeout: float) -> int:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = int(head.split(b" ", 2)[1])
        await asyncio.wait_for(reader.read(), timeout)  # to the end: the worker closes the connection
        return status
    finally:
        writer.close()


async def _run(url: str, auth: str, connections: int, duration: float, timeout: float) -> dict:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if auth:
        headers.append(f"Authorization: {auth}")
    request = ("\r\n".join(headers) + "\r\n\r\n").encode()
    latencies: list[float] = []
    counts = {"errors": 0, "non2xx": 0}
    started = time.perf_counter()
    stop = started + duration

    async def worker() -> None:
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            try:
                status = await _one(parts.hostname, parts.port, request, timeout)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                counts["errors"] += 1
                continue
            latencies.append(time.perf_counter() - sent)
            if not 200 <= status < 300:
                counts["non2xx"] += 1

    await asyncio.gather(*(worker() for _ in range(connections)))
    return {"latencies": latencies, "seconds": time.perf_counter() - started, **counts}


def _process(args) -> dict:
    return asyncio.run(_run(*args))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load(url: str, auth: str, *, connections: int, duration: int, threads: int, timeout: float = 10.0) -> dict:
    """wrk's figures for ``url`` under ``connections`` concurrent requests for ``duration`` s."""
    threads = max(1, min(threads, connections))
    shares = [connections // threads + (1 if i < connections % threads else 0) for i in range(threads)]
    with multiprocessing.get_context("spawn").Pool(threads) as pool:
        parts = pool.map(_process, [(url, auth, share, duration, timeout) for share in shares])
    latencies = [value for part in parts for value in part["latencies"]]
    seconds = max(part["seconds"] for part in parts)
    return {
        "requests": len(latencies),
        "duration_us": int(seconds * 1e6),
        "errors": sum(part["errors"] for part in parts),
        "non2xx": sum(part["non2xx"] for part in parts),
        "p50_us": int(percentile(latencies, 0.50) * 1e6),
        "p95_us": int(percentile(latencies, 0.95) * 1e6),
        "p99_us": int(percentile(latencies, 0.99) * 1e6),
    }

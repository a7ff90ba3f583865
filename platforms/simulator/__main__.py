"""``python -m platforms.simulator --host 127.0.0.1 --port 8900``: serve the simulated platforms."""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import threading
import urllib.request

from platforms.simulator.server import SimulatorServer


def already_serving(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_sim/clock", timeout=2) as answer:  # noqa: S310
            return "offset" in json.loads(answer.read())
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m platforms.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8900, help="port to listen on (default 8900)")
    parser.add_argument("--state", default="", help="keep the state in this JSON file between runs")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    try:
        server = SimulatorServer(args.host, args.port, state_file=args.state, verbose=args.verbose)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or not already_serving(args.host, args.port):
            raise
        # Another simulator (another checkout's `make run`) serves this address: use it and wait.
        print(f"A platform simulator already serves http://{args.host}:{args.port}; using it.", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        return 0
    print(
        f"Platform simulator on {server.url} (Douyin: {server.url}/douyin, TikTok: {server.url}/tiktok, "
        f"control: {server.url}/_sim/)",
        flush=True,
    )
    # honcho stops its processes with SIGTERM: stop cleanly, so the state file holds the last changes.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.httpd.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.httpd.server_close()
        server.simulator.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())

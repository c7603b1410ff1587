"""Shared helpers: timing, a live server, and the one row format every benchmark prints."""

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import WSGIRequestHandler, make_server


@dataclass
class Row:
    name: str
    value: float
    floor: float
    unit: str
    target: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.floor if self.floor else float("inf")


def median_seconds(fn: Callable[[], object], repeat: int, clock=time.perf_counter) -> float:
    """The median time of fn over repeat calls, after one warm-up call: wall time, or with
    clock=time.process_time this process's CPU time (steady while others load the machine)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = clock()
        fn()
        samples.append(clock() - start)
    return statistics.median(samples)


@contextmanager
def temporary_app(**config):
    """A Visitscore app on a fresh database in a temporary folder."""
    from app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": f"{folder}/bench.db", "SECRET_KEY": "bench", **config})
        yield app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        """Benchmarks print rows, not one access-log line per request."""


@contextmanager
def live_server(app):
    """Serve app on a free loopback port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()

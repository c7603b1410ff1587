"""Serve Visitscore as in production (waitress), plus a bare authenticated endpoint, for load benchmarks.

python -m bench.serve DATABASE PORT [SYNCHRONOUS]  (SYNCHRONOUS=NORMAL only to measure what fsync costs)
"""

import logging
import sys

import waitress

import db
from app import create_app, csrf
from org.auth import require


def main(database: str, port: int, synchronous: str = "FULL") -> None:
    db.PRAGMAS = tuple(
        f"PRAGMA synchronous = {synchronous}" if "synchronous" in pragma else pragma for pragma in db.PRAGMAS
    )
    app = create_app({"DATABASE": database, "SECRET_KEY": "bench"})

    @app.route("/__bare", methods=["GET", "PUT"])
    @csrf.exempt
    @require(api=True)
    def bare():
        """The floor of an API call: the request, the token check and a JSON answer."""
        return {"ok": True}

    # The back-to-back row queues on purpose: no "Task queue depth is N" line for each request.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(app, host="127.0.0.1", port=port, threads=8, _quiet=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:4])

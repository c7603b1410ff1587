"""Serve Visitscore as in production (waitress), plus a bare authenticated endpoint, for load benchmarks.

python -m bench.serve DATABASE PORT
"""

import sys

import waitress

from app import create_app, csrf
from org.auth import require


def main(database: str, port: int) -> None:
    app = create_app({"DATABASE": database, "SECRET_KEY": "bench"})

    @app.route("/__bare", methods=["GET", "PUT"])
    @csrf.exempt
    @require(api=True)
    def bare():
        """The floor of an API call: the request, the token check and a JSON answer."""
        return {"ok": True}

    waitress.serve(app, host="127.0.0.1", port=port, threads=8, _quiet=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

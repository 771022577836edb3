"""The process of a Prefect API server newsetl starts itself for one run or as the standing server
(flows/server.py): Prefect's API app under uvicorn, as `uvicorn --factory
prefect.server.api.server:create_app` runs it, but with Python's cyclic garbage collector off while
the app is imported and built.

Importing and building the app with the collector paused (flows/runtime.py: collector_paused)
took a quarter less CPU here.

A temporary server's start, from its launch to its first answer on /health (`python
bench/server_start.py`, five runs each, alternating): median 8.08 s of CPU (7.99 s wall) for
`uvicorn --factory` with Prefect's defaults, 5.75 s (5.78 s) for this process with flows/server.py's
ONE_RUN_SERVER settings.

    python -m newsetl.flows.server_process HOST PORT
"""
from __future__ import annotations

import sys

from newsetl.flows.runtime import collector_paused


def main(argv: list[str]) -> None:
    host, port = argv
    with collector_paused():
        import uvicorn
        from prefect.server.api.server import create_app

        app = create_app()
    uvicorn.run(app, host=host, port=int(port), log_level="error", lifespan="on")


if __name__ == "__main__":
    main(sys.argv[1:])

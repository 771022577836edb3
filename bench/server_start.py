"""How long a temporary Prefect server takes to answer: Prefect's own way against newsetl's.

Starts each variant in turn (alternating, so a machine whose speed drifts treats both alike) on a
free loopback port with a throwaway PREFECT_HOME, waits for /health, and reports the wall time and
the server process's CPU to that first answer; prints the medians.

  prefect:  python -m uvicorn --factory prefect.server.api.server:create_app (Prefect's defaults)
  newsetl:  python -m newsetl.flows.server_process, with flows/server.py's ONE_RUN_SERVER settings

    python bench/server_start.py [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from newsetl.flows.lifeline import proc_stat
from newsetl.flows.runtime import configure_prefect_env
from newsetl.flows.server import ONE_RUN_SERVER, _free_port


def variants(port: int) -> dict[str, tuple[list[str], dict]]:
    return {
        "prefect": ([sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                     "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"], {}),
        "newsetl": ([sys.executable, "-m", "newsetl.flows.server_process", "127.0.0.1", str(port)], ONE_RUN_SERVER),
    }


def start_once(name: str, home: str) -> tuple[float, float]:
    port = _free_port()
    command, extra = variants(port)[name]
    env = dict(os.environ, PREFECT_HOME=home, PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(port),
               PREFECT_UI_ENABLED="false", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1", **extra)
    env.pop("PREFECT_API_URL", None)
    clock = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{name}: the server exited with status {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.05)
        wall = time.monotonic() - clock
        fields = proc_stat(process.pid)  # state, ppid, ...: utime and stime are the 12th and 13th
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return wall, cpu
    finally:
        process.terminate()
        process.wait(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    configure_prefect_env()
    results: dict[str, list[tuple[float, float]]] = {"prefect": [], "newsetl": []}
    with tempfile.TemporaryDirectory() as home:
        start_once("newsetl", home)  # creates the throwaway database: not counted
        for _ in range(args.runs):
            for name in results:
                results[name].append(start_once(name, home))
    for name, runs in results.items():
        print(json.dumps({"variant": name, "median_wall_s": round(statistics.median(w for w, _ in runs), 2),
                          "median_cpu_s": round(statistics.median(c for _, c in runs), 2),
                          "runs_wall_cpu_s": [[round(w, 2), round(c, 2)] for w, c in runs]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark newsetl against the I/O floor on one synthetic drop.

Generates (or reuses) bench/out/drop-N-S/, then times, each in a subprocess:
  (a) the I/O floor (bench/io_floor.py),
  (b) `newsetl ingest` into a fresh, empty warehouse,
  (b') the same ingest into another fresh warehouse with near-duplicate detection patched out
      (bench/without_neardup/ on PYTHONPATH), right after (b), then (b') and (b) once more (ABBA):
      what near-duplicates cost, from the summed times,
  (c) a no-op `newsetl ingest` right after, on the same warehouse (it starts its own temporary
      Prefect server), and (c2) the same against a standing server (`newsetl server start`),
      each three times (the median counts),
  (d) with --backfill, `newsetl backfill` of the first day only, and (e) that day ingested
      fresh from a raw zone holding only it (like for like: both pay Prefect's start-up),
and for each reports wall seconds, articles/s, CPU seconds of the whole process
tree and its peak RSS (summed over all live descendants, sampled every
--interval seconds). Every figure is measured on this run; nothing is assumed.

    python bench/run.py --articles N --days D --seed S [--keep] [--backfill] [--no-neardup-cost]
                        [--newsetl CMD] [--interval 0.05] [--timeout 3600]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import psutil
except ImportError:  # the /proc fallback below does the same on Linux
    psutil = None

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
GB = 1e9
# Targets (see bench/README.md for where they come from).
MIN_FLOOR_SHARE = 0.14  # ingest articles/s >= this x the I/O floor's (issue 12, near-duplicates on)
GOAL_FLOOR_SHARE = 0.25  # the longer-term goal, reported beside it
MAX_PEAK_RSS = 1 * GB  # peak RSS of the whole ingest process tree
NOOP_MAX_S = 5.0  # a no-op ingest that starts its own Prefect server
NOOP_STANDING_MAX_S = 2.5  # a no-op ingest against a running server
MAX_NEARDUP_SHARE = 0.15  # near-duplicate detection may add this share to the ingest's wall time (issue 10)
MAX_OTHER_LOAD = 0.25  # cores busy with other work above which a with/without difference is not judged
WITHOUT_NEARDUP = BENCH / "without_neardup"  # sitecustomize.py that patches near-duplicate detection out
PREFECT_PROBE = (
    "from prefect import flow\n"
    "@flow(log_prints=False)\n"
    "def bench_noop() -> int:\n"
    "    return 1\n"
    "assert bench_noop() == 1\n"
)


# --- Process-tree sampling ---------------------------------------------------------------

def _tree_rss_psutil(root_pid: int, seen: dict[int, float]) -> tuple[int, int]:
    """(summed RSS bytes, process count) of root_pid and all its live descendants."""
    try:
        root = psutil.Process(root_pid)
        procs = [root] + root.children(recursive=True)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return 0, 0
    total = count = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
            count += 1
            seen.setdefault(proc.pid, proc.create_time())
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            pass
    return total, count


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss_proc(root_pid: int, seen: dict[int, float]) -> tuple[int, int]:
    """The same from /proc: parent links from /proc/PID/stat, RSS pages from /proc/PID/statm."""
    children: dict[int, list[int]] = {}
    starts: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # the command name may hold spaces
        children.setdefault(int(fields[1]), []).append(int(entry))
        starts[int(entry)] = float(fields[19])  # start time in clock ticks
    total = count = 0
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                rss_pages = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += rss_pages * _PAGE
        count += 1
        seen.setdefault(pid, starts.get(pid, 0.0))
        stack.extend(children.get(pid, []))
    return total, count


def _still_running(pid: int, started: float, use_psutil: bool) -> bool:
    """Whether the process seen earlier as (pid, start time) is still alive (not reused)."""
    try:
        if use_psutil:
            proc = psutil.Process(pid)
            return proc.create_time() == started and proc.status() != psutil.STATUS_ZOMBIE
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
        fields = stat[stat.rindex(b")") + 2:].split()
        return float(fields[19]) == started and fields[0] != b"Z"
    except Exception:
        return False


_TICK = os.sysconf("SC_CLK_TCK")


def _busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine spent not idle since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    busy = sum(values[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / _TICK


@dataclass
class Measurement:
    label: str
    command: list[str]
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user+sys of the child and every descendant it reaped (os.wait4)
    cpu_children_delta_s: float = 0.0  # the same from getrusage(RUSAGE_CHILDREN) deltas, a cross-check
    peak_tree_rss_bytes: int = 0  # max over samples of summed RSS of all live processes of the tree
    max_single_rss_bytes: int = 0  # ru_maxrss from wait4: the largest single process of the tree
    max_processes: int = 0
    samples: int = 0
    exit_code: int | None = None
    timed_out: bool = False
    leftover_processes: int = 0  # descendants still alive after the child exited
    stdout_path: str = ""
    stderr_path: str = ""
    sampler_cpu_s: float = 0.0  # what sampling cost this harness, to judge its interference
    other_busy_cores: float = 0.0  # mean cores busy with anything but this tree and harness (shared machine?)
    loadavg_before: float = 0.0
    extra: dict = field(default_factory=dict)

    def stdout(self) -> str:
        return Path(self.stdout_path).read_text(errors="replace")

    def stderr_tail(self, lines: int = 5) -> str:
        return "\n".join(Path(self.stderr_path).read_text(errors="replace").splitlines()[-lines:])


def measure(label: str, command: list[str], *, logs: Path, interval: float, timeout: float,
            use_psutil: bool, cwd: Path | None = None, env: dict[str, str] | None = None) -> Measurement:
    """Run `command` to completion, sampling its process tree; return what was measured."""
    logs.mkdir(parents=True, exist_ok=True)
    result = Measurement(label, command, stdout_path=str(logs / f"{label}.out"),
                         stderr_path=str(logs / f"{label}.err"))
    tree_rss = _tree_rss_psutil if use_psutil else _tree_rss_proc
    seen: dict[int, float] = {}
    finished = threading.Event()
    result.loadavg_before = os.getloadavg()[0]
    busy_before = _busy_cpu_seconds()
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(result.stdout_path, "wb") as out, open(result.stderr_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                cwd=cwd, env=env, start_new_session=True)  # own group: a timeout kills it all

        def sample() -> None:
            while True:
                rss, count = tree_rss(proc.pid, seen)
                result.samples += 1
                result.peak_tree_rss_bytes = max(result.peak_tree_rss_bytes, rss)
                result.max_processes = max(result.max_processes, count)
                if finished.wait(interval):
                    return

        def kill_on_timeout() -> None:
            if not finished.wait(timeout):
                result.timed_out = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        sampler = threading.Thread(target=sample, daemon=True)
        watchdog = threading.Thread(target=kill_on_timeout, daemon=True)
        sampler.start()
        watchdog.start()
        _, status, usage = os.wait4(proc.pid, 0)
        result.wall_s = time.perf_counter() - started
        finished.set()
        sampler.join()
    proc.returncode = result.exit_code = os.waitstatus_to_exitcode(status)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_after = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_s = usage.ru_utime + usage.ru_stime
    result.cpu_children_delta_s = (children_after.ru_utime - children_before.ru_utime
                                   + children_after.ru_stime - children_before.ru_stime)
    result.max_single_rss_bytes = usage.ru_maxrss * 1024  # Linux: KiB
    # Sampling can miss a peak between samples (or a process shorter than one period);
    # the tree held at least its largest single process, so never report less than that.
    result.peak_tree_rss_bytes = max(result.peak_tree_rss_bytes, result.max_single_rss_bytes)
    result.sampler_cpu_s = (self_after.ru_utime - self_before.ru_utime
                            + self_after.ru_stime - self_before.ru_stime)
    busy_after = _busy_cpu_seconds()
    if busy_before is not None and busy_after is not None and result.wall_s >= 0.5:  # too noisy below
        ours = result.cpu_s + result.sampler_cpu_s
        result.other_busy_cores = max(0.0, (busy_after - busy_before - ours) / result.wall_s)
    result.leftover_processes = sum(
        1 for pid, start in seen.items() if pid != proc.pid and _still_running(pid, start, use_psutil))
    return result


# --- Facts about the machine and the drop -------------------------------------------------

def machine_facts() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_total = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for package in ("prefect", "pandas", "pyarrow", "duckdb", "polars", "psutil", "newsetl"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_count": os.cpu_count(), "cpu_affinity": len(os.sched_getaffinity(0)),
        "cpu_model": model, "mem_total_bytes": mem_total,
        "python": platform.python_version(), "python_executable": sys.executable,
        "kernel": platform.release(), "packages": versions,
    }


def bench_commit() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(BENCH), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def drop_stats(root: Path) -> dict:
    """Files, bytes and files per day folder of the drop, counted now (hidden entries skipped)."""
    files = size = 0
    per_day: dict[str, int] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            files += 1
            size += os.path.getsize(os.path.join(folder, name))
            day = os.path.relpath(folder, root).split(os.sep)[0]
            per_day[day] = per_day.get(day, 0) + 1
    return {"files": files, "bytes": size, "files_per_day": dict(sorted(per_day.items()))}


def warm_page_cache(root: Path) -> float:
    """Read every file once so (a) and (b) both start from a warm page cache; return seconds."""
    started = time.perf_counter()
    for folder, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                while handle.read(1 << 20):
                    pass
    return time.perf_counter() - started


def warehouse_counts(warehouse: Path) -> dict:
    """Rows per table as an analytics reader sees them (DuckDB), or why that failed."""
    counts: dict = {}
    try:
        import duckdb
    except ImportError:
        return {"error": "duckdb not importable"}
    with duckdb.connect() as con:
        for table in ("articles", "rejects", "files", "runs"):
            folder = warehouse / table
            if not folder.is_dir() or not any(folder.rglob("*.parquet")):
                counts[table] = None
                continue
            try:
                counts[table] = con.execute(
                    "select count(*) from read_parquet(?, hive_partitioning=true)",
                    [str(folder / "**" / "*.parquet")]).fetchone()[0]
            except Exception as error:  # report, never fail the benchmark over it
                counts[table] = f"error: {error}"
    return counts


def neardup_counts(warehouse: Path) -> dict:
    """What near-duplicate detection left in a warehouse (DuckDB): signature rows, link rows,
    articles carrying near_duplicate_of; or why that failed."""
    try:
        import duckdb
    except ImportError:
        return {"error": "duckdb not importable"}
    counts: dict = {}
    queries = {"signatures": ("signatures", "select count(*) from {t}"),
               "near_duplicates": ("near_duplicates", "select count(*) from {t}"),
               "articles_with_near_duplicate_of": ("articles", "select count(near_duplicate_of) from {t}")}
    with duckdb.connect() as con:
        for name, (table, query) in queries.items():
            folder = warehouse / table
            if not folder.is_dir() or not any(folder.rglob("*.parquet")):
                counts[name] = 0
                continue
            try:
                files = str(folder / "**" / "*.parquet").replace("'", "''")
                source = f"(select * from read_parquet('{files}', hive_partitioning=true, union_by_name=true))"
                counts[name] = con.execute(query.format(t=source)).fetchone()[0]
            except Exception as error:  # report, never fail the benchmark over it
                counts[name] = f"error: {error}"
    return counts


def neardup_cost(with_: list[Measurement], without: list[Measurement], with_counts: dict, without_counts: dict) -> dict:
    """The with/without comparison of the same ingest, over every run of each (in ABBA order, so a
    machine whose speed drifts during the runs weighs on both alike): summed seconds, shares, each
    pair's own share, and whether 'without' really ran without (no signature, no link, no
    near_duplicate_of)."""
    patched_out = all(without_counts.get(k) == 0 for k in ("signatures", "near_duplicates",
                                                            "articles_with_near_duplicate_of"))
    wall = sum(m.wall_s for m in with_), sum(m.wall_s for m in without)
    cpu = sum(m.cpu_s for m in with_), sum(m.cpu_s for m in without)
    return {
        "runs": len(with_),
        "with_wall_s": [round(m.wall_s, 3) for m in with_], "without_wall_s": [round(m.wall_s, 3) for m in without],
        "with_cpu_s": [round(m.cpu_s, 3) for m in with_], "without_cpu_s": [round(m.cpu_s, 3) for m in without],
        "wall_share": round(wall[0] / wall[1] - 1, 4) if wall[1] else None,
        "cpu_share": round(cpu[0] / cpu[1] - 1, 4) if cpu[1] else None,
        "pair_wall_shares": [round(a.wall_s / b.wall_s - 1, 4) for a, b in zip(with_, without) if b.wall_s],
        "with_peak_tree_rss_bytes": max(m.peak_tree_rss_bytes or 0 for m in with_),
        "without_peak_tree_rss_bytes": max(m.peak_tree_rss_bytes or 0 for m in without),
        "with_counts": with_counts, "without_counts": without_counts, "patched_out": patched_out,
    }


# --- The run ------------------------------------------------------------------------------

def _prefect_env() -> None:
    """The Prefect environment newsetl's CLI sets for itself (project-local home, no telemetry,
    time for a new home's first start), so the start-up probes measure the same server start."""
    sys.path.insert(0, str(BENCH.parent))
    from newsetl.flows.runtime import configure_prefect_env

    # A home of the bench's own: a server the user left running in the project's home would make
    # every phase reuse it, and (c) would not measure a run that starts its own.
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_HOME"] = str(OUT / "prefect")
    configure_prefect_env()


def _stop_standing_server() -> str | None:
    """Stop a standing server (`newsetl server start`) left in the bench's PREFECT_HOME: the CLI would
    reuse it, and (b), (b') and (c) would not pay for a server of their own. Its URL, if there was one."""
    from newsetl.flows.server import standing_server, stop_standing

    home = Path(os.environ["PREFECT_HOME"])
    if standing_server(home) is None:
        return None
    return stop_standing(home)["url"]


def ensure_drop(args, logs: Path, measure_kw: dict) -> tuple[Path, dict]:
    """The drop for (articles, days, seed), generated unless an identical one exists."""
    drop = OUT / f"drop-{args.articles}-{args.seed}"
    marker = OUT / f"drop-{args.articles}-{args.seed}.json"
    generator = BENCH / "generate.py"
    wanted = {"articles": args.articles, "days": args.days, "seed": args.seed,
              "generator_sha256": hashlib.sha256(generator.read_bytes()).hexdigest()}
    if drop.is_dir() and marker.is_file():
        recorded = json.loads(marker.read_text())
        if recorded.get("wanted") == wanted:
            return drop, {"reused": True, **recorded}
    if drop.exists():
        shutil.rmtree(drop)  # ours: bench/out/drop-N-S, stale or from other arguments
    run = measure("generate", [sys.executable, str(generator), "--out", str(drop),
                               "--articles", str(args.articles), "--days", str(args.days),
                               "--seed", str(args.seed)], logs=logs, **measure_kw)
    if run.exit_code != 0:
        raise SystemExit(f"generate.py failed ({run.exit_code}): {run.stderr_tail()}")
    record = {"wanted": wanted, "summary": json.loads(run.stdout()),
              "wall_s": round(run.wall_s, 3), "cpu_s": round(run.cpu_s, 3),
              "peak_tree_rss_bytes": run.peak_tree_rss_bytes}
    marker.write_text(json.dumps(record, indent=1))
    return drop, {"reused": False, **record}


def newsetl_command(option: str | None) -> list[str] | None:
    if option:
        return shlex.split(option)
    beside = Path(sys.executable).parent / "newsetl"  # same venv as this interpreter
    if beside.exists():
        return [str(beside)]
    found = shutil.which("newsetl")
    return [found] if found else None


def summarise(m: Measurement, articles: int) -> dict:
    return {
        "command": m.command, "exit_code": m.exit_code, "timed_out": m.timed_out,
        "wall_s": round(m.wall_s, 3),
        "articles_per_s": round(articles / m.wall_s, 1) if m.wall_s and m.exit_code == 0 else None,
        "cpu_s": round(m.cpu_s, 3), "cpu_children_delta_s": round(m.cpu_children_delta_s, 3),
        "cpu_utilisation": round(m.cpu_s / m.wall_s, 2) if m.wall_s else None,
        "peak_tree_rss_bytes": m.peak_tree_rss_bytes, "max_single_rss_bytes": m.max_single_rss_bytes,
        "max_processes": m.max_processes, "samples": m.samples,
        "leftover_processes": m.leftover_processes, "sampler_cpu_s": round(m.sampler_cpu_s, 3),
        "other_busy_cores": round(m.other_busy_cores, 2), "loadavg_before": round(m.loadavg_before, 2),
        "stdout": m.stdout_path, "stderr": m.stderr_path,
        "stderr_tail": m.stderr_tail() if m.exit_code else "", **m.extra,
    }


def _mb(value: int | None) -> str:
    return "" if value is None else f"{value / 1e6:,.0f}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "FAIL")


def markdown(results: dict) -> str:
    lines = []
    m, drop = results["machine"], results["drop"]
    lines.append(f"Machine: {m['cpu_count']} cores ({m['cpu_affinity']} usable), "
                 f"{(m['mem_total_bytes'] or 0) / 2**30:.1f} GiB RAM, {m['cpu_model']}, "
                 f"Python {m['python']}, kernel {m['kernel']}")
    lines.append(f"Drop: {drop['path']}: {drop['files']:,} files, {drop['bytes'] / 1e6:,.1f} MB, "
                 f"{len(drop['files_per_day'])} days ({'reused' if results['generation']['reused'] else 'generated in %.1f s' % results['generation']['wall_s']}); "
                 f"page cache warmed in {results['warmup_s']:.1f} s")
    startup = results.get("prefect_startup")
    if startup:
        lines.append(f"Prefect start-up (trivial flow, {sys.executable}): "
                     + ", ".join(f"{s:.2f} s" for s in startup["runs_wall_s"])
                     + f" -> using {startup['wall_s']:.2f} s")
    lines.append("")
    lines.append("| phase | exit | wall s | articles/s | CPU s | CPU/wall | peak tree RSS MB | max 1-proc RSS MB | procs | other load (cores) | target |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, phase in results["phases"].items():
        lines.append(
            f"| {name} | {phase['exit_code']}{' (timeout)' if phase['timed_out'] else ''} "
            f"| {phase['wall_s']:.2f} | {'failed' if phase['articles_per_s'] is None else format(phase['articles_per_s'], ',.0f')} | {phase['cpu_s']:.2f} "
            f"| {phase['cpu_utilisation']:.2f} | {_mb(phase['peak_tree_rss_bytes'])} "
            f"| {_mb(phase['max_single_rss_bytes'])} | {phase['max_processes']} | {phase['other_busy_cores']:.2f} "
            f"| {phase.get('target', '')} |")
    lines.append("")
    if not results["targets"]:
        lines.append("Targets: not evaluated (newsetl was not run).")
    else:
        lines.append("| target | measured | limit | result |")
        lines.append("|---|---|---|---|")
    for target in results["targets"]:
        lines.append(f"| {target['name']} | {target['measured']} | {target['limit']} | {_verdict(target['pass'])} |")
    if results.get("warehouse_counts") is not None:
        lines.append("")
        lines.append(f"Warehouse after ingest (DuckDB): {json.dumps(results['warehouse_counts'])}")
    if results.get("backfill_vs_share"):
        b = results["backfill_vs_share"]
        lines.append(f"Backfill of {b['day']} ({b['day_files']:,} files, {b['day_share']:.1%} of the drop): "
                     f"{b['backfill_wall_s']:.2f} s vs its share of the fresh ingest {b['ingest_share_s']:.2f} s "
                     f"-> x{b['ratio']:.2f}; vs the same day ingested fresh on its own {b['fresh_day_wall_s']:.2f} s "
                     f"-> x{b['ratio_to_fresh_day']:.2f}")
    floor = results["phases"].get("a io floor", {}).get("reported")
    if floor:
        lines.append(f"I/O floor inside the process (no interpreter start-up): {floor['seconds']:.2f} s, "
                     f"{floor['files_per_s']:,.0f} files/s, {floor['mb_per_s']:.1f} MB/s raw, "
                     f"Parquet {floor['parquet_bytes'] / 1e6:,.1f} MB")
    cost = results.get("neardup_cost")
    if cost:
        seconds = lambda values: " + ".join(f"{v:.2f}" for v in values)  # noqa: E731
        lines.append(f"Near-duplicate detection, same ingest with and without it, {cost['runs']} run(s) each (ABBA): "
                     f"wall {seconds(cost['with_wall_s'])} s vs {seconds(cost['without_wall_s'])} s ({cost['wall_share']:+.1%}), "
                     f"CPU {seconds(cost['with_cpu_s'])} s vs {seconds(cost['without_cpu_s'])} s ({cost['cpu_share']:+.1%}), "
                     f"peak tree RSS {_mb(cost['with_peak_tree_rss_bytes'])} vs {_mb(cost['without_peak_tree_rss_bytes'])} MB; "
                     f"with: {json.dumps(cost['with_counts'])}; without: {json.dumps(cost['without_counts'])}")
    for note in results["notes"]:
        lines.append(f"Note: {note}")
    return "\n".join(lines)


def _with_standing_server(newsetl: list[str], notes: list[str], runs):
    """`newsetl server start`, `runs()` against it, `newsetl server stop`; None when the server did not start."""
    started = subprocess.run(newsetl + ["server", "start"], capture_output=True, text=True, timeout=300)
    if started.returncode != 0:
        notes.append(f"newsetl server start failed: {started.stderr.strip()[-300:]}")
        return None
    try:
        return runs()
    finally:
        subprocess.run(newsetl + ["server", "stop"], capture_output=True, text=True, timeout=120)


def _noop_with_standing_server(newsetl: list[str], ingest_cmd: list[str], logs: Path, measure_kw: dict,
                               notes: list[str]) -> "Measurement | None":
    """(c2): the no-op ingest against a standing server three times (the median counts; all three are
    in the JSON)."""
    runs = _with_standing_server(newsetl, notes, lambda: [
        measure(f"c2-noop-ingest-running-server-{i}", ingest_cmd, logs=logs, **measure_kw) for i in range(3)])
    return None if runs is None else _median(runs)


def _median(runs: "list[Measurement]") -> "Measurement":
    """The run of median wall time (the first failed one if any failed), with every run's wall time
    in its JSON: one no-op run of a few seconds moves by half a second on this VM."""
    failed = [run for run in runs if run.exit_code != 0]
    median = failed[0] if failed else sorted(runs, key=lambda run: run.wall_s)[len(runs) // 2]
    median.extra["all_runs_wall_s"] = [round(run.wall_s, 3) for run in runs]
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="files in the drop (N)")
    parser.add_argument("--days", type=int, default=10, help="day folders in the drop (D)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (S)")
    parser.add_argument("--keep", action="store_true", help="keep the warehouse and floor Parquet (the drop is always kept)")
    parser.add_argument("--backfill", action="store_true", help="also time (d): a backfill of the first day")
    parser.add_argument("--no-neardup-cost", action="store_true",
                        help="skip (b'): the same ingest with near-duplicate detection patched out")
    parser.add_argument("--neardup-rounds", type=int, default=2, choices=(1, 2),
                        help="2 (default): with, without, without, with (ABBA), the cost from the sums; 1: one pair")
    parser.add_argument("--newsetl", help="command to run as newsetl (shell-split), e.g. a stand-in script; default: newsetl beside sys.executable, then PATH")
    parser.add_argument("--interval", type=float, default=0.05, help="RSS sampling period, seconds")
    parser.add_argument("--timeout", type=float, default=3600, help="kill a phase after this many seconds")
    parser.add_argument("--no-psutil", action="store_true", help="sample /proc directly even if psutil is importable")
    parser.add_argument("--no-warmup", action="store_true", help="do not pre-read the drop into the page cache")
    parser.add_argument("--prefect-probes", type=int, default=2, help="trivial flow runs to time Prefect start-up (0: skip); the last one counts")
    args = parser.parse_args(argv)

    use_psutil = psutil is not None and not args.no_psutil
    _prefect_env()
    stopped = _stop_standing_server()
    tag = f"{args.articles}-{args.seed}"
    logs = OUT / "logs" / tag
    measure_kw = {"interval": args.interval, "timeout": args.timeout, "use_psutil": use_psutil}
    notes: list[str] = []
    if not use_psutil:
        notes.append("process-tree RSS sampled from /proc (psutil not used)")
    if stopped:
        notes.append(f"a standing server was left running in {os.environ['PREFECT_HOME']} ({stopped}): stopped, "
                     "so that the phases meant to start their own server do")
    results: dict = {"started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                     "arguments": vars(args), "bench_commit": bench_commit(), "machine": machine_facts()}

    drop, generation = ensure_drop(args, logs, measure_kw)
    results["generation"] = generation
    stats = drop_stats(drop)
    results["drop"] = {"path": str(drop), **stats}
    articles = stats["files"]  # N as found on disk, rejects and duplicates included
    if articles != args.articles:
        notes.append(f"the drop holds {articles} files, not --articles {args.articles}; rates use {articles}")
    results["warmup_s"] = 0.0 if args.no_warmup else round(warm_page_cache(drop), 3)

    if args.prefect_probes > 0:
        runs = [measure(f"prefect-startup-{i}", [sys.executable, "-c", PREFECT_PROBE], logs=logs, **measure_kw)
                for i in range(args.prefect_probes)]
        failed = [r for r in runs if r.exit_code != 0]
        if failed:
            notes.append(f"Prefect start-up probe failed: {failed[0].stderr_tail()}")
        else:
            results["prefect_startup"] = {"runs_wall_s": [round(r.wall_s, 3) for r in runs],
                                          "wall_s": round(runs[-1].wall_s, 3),
                                          "peak_tree_rss_bytes": runs[-1].peak_tree_rss_bytes}

    phases: dict[str, dict] = {}
    floor_out = OUT / f"floor-{tag}.parquet"
    floor = measure("a-io-floor", [sys.executable, str(BENCH / "io_floor.py"), "--raw", str(drop),
                                   "--out", str(floor_out)], logs=logs, **measure_kw)
    if floor.exit_code == 0:
        floor.extra["reported"] = json.loads(floor.stdout())
    phases["a io floor"] = summarise(floor, articles)

    newsetl = newsetl_command(args.newsetl)
    warehouse = OUT / f"wh-{tag}"
    targets = []
    if newsetl is None:
        notes.append("no newsetl executable beside sys.executable or on PATH: (b)-(d) skipped; pass --newsetl")
    else:
        if warehouse.exists():
            shutil.rmtree(warehouse)  # (b) always starts from an empty warehouse
        ingest_cmd = newsetl + ["ingest", "--raw", str(drop), "--warehouse", str(warehouse)]
        ingest = measure("b-ingest", ingest_cmd, logs=logs, **measure_kw)
        phases["b ingest"] = summarise(ingest, articles)
        results["warehouse_counts"] = warehouse_counts(warehouse) if ingest.exit_code == 0 else None
        if not args.no_neardup_cost:
            # Right after (b), same drop, fresh warehouses: only near-duplicate detection differs. ABBA
            # (with, without, without, with): the VM's speed drifts by a third within minutes here, and
            # one pair's difference moved by more than near-duplicates cost.
            without_warehouse = OUT / f"wh-{tag}-without-neardup"
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(
                [str(WITHOUT_NEARDUP)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))

            def fresh_ingest(label: str, folder: Path, env: dict | None = None) -> Measurement:
                shutil.rmtree(folder, ignore_errors=True)
                return measure(label, newsetl + ["ingest", "--raw", str(drop), "--warehouse", str(folder)],
                               logs=logs, env=env, **measure_kw)

            withs, withouts = [ingest], [fresh_ingest("b2-ingest-without-neardup", without_warehouse, env)]
            phases["b' ingest without near-dup"] = summarise(withouts[0], articles)
            if args.neardup_rounds > 1:
                withouts.append(fresh_ingest("b2-ingest-without-neardup-again", without_warehouse, env))
                without_counts = neardup_counts(without_warehouse)
                again = OUT / f"wh-{tag}-again"
                withs.append(fresh_ingest("b-ingest-again", again))
                shutil.rmtree(again, ignore_errors=True)
                phases["b' ingest without near-dup, again"] = summarise(withouts[1], articles)
                phases["b ingest, again"] = summarise(withs[1], articles)
            else:
                without_counts = neardup_counts(without_warehouse)
            if all(m.exit_code == 0 for m in withs + withouts):
                cost = neardup_cost(withs, withouts, neardup_counts(warehouse), without_counts)
                results["neardup_cost"] = cost
                # Other work on the machine during a run moves the difference more than near-duplicates
                # do (2 cores): then the wall figure is shown but not judged.
                loaded = max(m.other_busy_cores for m in withs + withouts) > MAX_OTHER_LOAD
                pairs = ", ".join(f"{share:+.1%}" for share in cost["pair_wall_shares"])
                targets.append({"name": f"near-duplicate detection adds <= {MAX_NEARDUP_SHARE:.0%} to (b) wall",
                                "measured": f"{cost['wall_share']:+.1%} ({sum(cost['with_wall_s']):.2f} s vs "
                                            f"{sum(cost['without_wall_s']):.2f} s over {cost['runs']} run(s) each, "
                                            f"ABBA; pairs {pairs}; CPU {cost['cpu_share']:+.1%})"
                                            + (" - not judged: other load on the machine" if loaded else ""),
                                "limit": f"<= {MAX_NEARDUP_SHARE:+.0%}",
                                "pass": None if loaded else (cost["wall_share"] <= MAX_NEARDUP_SHARE
                                                             and cost["patched_out"])})
                if not cost["patched_out"]:
                    notes.append(f"(b') was meant to run without near-duplicate detection but left "
                                 f"{json.dumps(cost['without_counts'])}: its comparison does not hold")
            if not args.keep:
                shutil.rmtree(without_warehouse, ignore_errors=True)
        # (b2) The same ingest into a fresh warehouse against a running server (`newsetl server start`), as
        # scheduled runs under `newsetl serve` are: shown beside (b), which the target judges.
        running_warehouse = OUT / f"wh-{tag}-running-server"
        shutil.rmtree(running_warehouse, ignore_errors=True)
        running = _with_standing_server(newsetl, notes, lambda: measure("b3-ingest-running-server", newsetl + [
            "ingest", "--raw", str(drop), "--warehouse", str(running_warehouse)], logs=logs, **measure_kw))
        shutil.rmtree(running_warehouse, ignore_errors=True)
        if running is not None:
            phases["b2 ingest, running server"] = summarise(running, articles)
        noop = _median([measure(f"c-noop-ingest-{i}", ingest_cmd, logs=logs, **measure_kw) for i in range(3)])
        phases["c no-op ingest"] = summarise(noop, articles)
        standing = _noop_with_standing_server(newsetl, ingest_cmd, logs, measure_kw, notes)
        if standing is not None:
            phases["c2 no-op ingest, running server"] = summarise(standing, articles)
        if args.backfill:
            first_day = sorted(stats["files_per_day"])[0]
            backfill = measure("d-backfill-first-day", newsetl + [
                "backfill", "--start", first_day, "--end", first_day,
                "--raw", str(drop), "--warehouse", str(warehouse)], logs=logs, **measure_kw)
            day_files = stats["files_per_day"][first_day]
            phases["d backfill 1 day"] = summarise(backfill, day_files)  # its rate is over that day's files
            # Like for like: the same day ingested fresh, from a raw zone holding only that day
            # (both runs pay Prefect's start-up once).
            day_raw, day_warehouse = OUT / f"day-raw-{tag}", OUT / f"day-wh-{tag}"
            for folder in (day_raw, day_warehouse):
                shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(drop / first_day, day_raw / first_day)
            fresh_day = measure("e-ingest-first-day-alone", newsetl + [
                "ingest", "--raw", str(day_raw), "--warehouse", str(day_warehouse)], logs=logs, **measure_kw)
            phases["e same day, fresh ingest"] = summarise(fresh_day, day_files)
            shutil.rmtree(day_raw, ignore_errors=True)
            shutil.rmtree(day_warehouse, ignore_errors=True)
            share = day_files / articles
            results["backfill_vs_share"] = {
                "day": first_day, "day_files": day_files, "day_share": share,
                "backfill_wall_s": round(backfill.wall_s, 3),
                "ingest_share_s": round(ingest.wall_s * share, 3),
                "ratio": round(backfill.wall_s / (ingest.wall_s * share), 2) if ingest.wall_s else None,
                "fresh_day_wall_s": round(fresh_day.wall_s, 3),
                "ratio_to_fresh_day": round(backfill.wall_s / fresh_day.wall_s, 2) if fresh_day.wall_s else None,
                "backfill_day_articles_per_s": round(day_files / backfill.wall_s, 1) if backfill.wall_s else None,
            }
        ok_runs = floor.exit_code == 0 and ingest.exit_code == 0
        floor_rate, ingest_rate = articles / floor.wall_s, articles / ingest.wall_s
        for share in (MIN_FLOOR_SHARE, GOAL_FLOOR_SHARE):
            targets.append({"name": f"ingest articles/s >= {share} x I/O floor"
                                    + (" (goal)" if share == GOAL_FLOOR_SHARE else ""),
                            "measured": f"{ingest_rate:,.0f} / {floor_rate:,.0f} = {ingest_rate / floor_rate:.3f}"
                                        if ok_runs else "a run failed",
                            "limit": f">= {share}",
                            "pass": (ingest_rate / floor_rate >= share) if ok_runs else False})
        for name in [p for p in phases if p != "a io floor"]:
            peak = phases[name]["peak_tree_rss_bytes"]
            targets.append({"name": f"{name}: peak tree RSS < {MAX_PEAK_RSS / GB:.0f} GB",
                            "measured": f"{peak / 1e6:,.0f} MB", "limit": f"< {MAX_PEAK_RSS / 1e6:,.0f} MB",
                            "pass": peak < MAX_PEAK_RSS and phases[name]["exit_code"] == 0})
        targets.append({"name": "no-op ingest, starting its own Prefect server", "measured": f"{noop.wall_s:.2f} s",
                        "limit": f"<= {NOOP_MAX_S} s", "pass": noop.wall_s <= NOOP_MAX_S and noop.exit_code == 0})
        if standing is not None:
            targets.append({"name": "no-op ingest, running Prefect server", "measured": f"{standing.wall_s:.2f} s",
                            "limit": f"<= {NOOP_STANDING_MAX_S} s",
                            "pass": standing.wall_s <= NOOP_STANDING_MAX_S and standing.exit_code == 0})
        if ok_runs:
            phases["b ingest"]["target"] = f"x{ingest_rate / floor_rate:.3f} of floor"
        if ok_runs and running is not None and running.exit_code == 0:
            phases["b2 ingest, running server"]["target"] = f"x{articles / running.wall_s / floor_rate:.3f} of floor"
            targets.append({"name": "(information) ingest against a running server, articles/s x I/O floor",
                            "measured": f"{articles / running.wall_s:,.0f} / {floor_rate:,.0f} = "
                                        f"{articles / running.wall_s / floor_rate:.3f}",
                            "limit": "-", "pass": None})
    results["phases"] = phases
    results["targets"] = targets
    for name, phase in phases.items():
        if phase["exit_code"] != 0:
            notes.append(f"{name} exited {phase['exit_code']}: {phase['stderr_tail']!r}")
        if phase["other_busy_cores"] > MAX_OTHER_LOAD:
            notes.append(f"{name}: other processes kept {phase['other_busy_cores']:.2f} of "
                         f"{os.cpu_count()} cores busy meanwhile; its timings are inflated by that")
        if phase["leftover_processes"]:
            notes.append(f"{name} left {phase['leftover_processes']} process(es) running after it exited")
    results["notes"] = notes

    if not args.keep:
        floor_out.unlink(missing_ok=True)
        if warehouse.exists():
            shutil.rmtree(warehouse)
    results_path = OUT / f"results-{tag}.json"
    results_path.write_text(json.dumps(results, indent=1, default=str))
    print(markdown(results))
    print(f"\nResults: {results_path}")
    return 0 if all(p["exit_code"] == 0 for p in phases.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

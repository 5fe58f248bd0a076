"""Load test of statement voting: a production server on PostgreSQL, 200 simulated voters for 60 s.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, granian or gunicorn installed):

    PYTHONPATH=src python benchmarks/vote_load.py                     # 500 votes/s offered, 60 s
    PYTHONPATH=src python benchmarks/vote_load.py --duration 10       # a short check
    PYTHONPATH=src python benchmarks/vote_load.py --rate 0            # closed loop: as fast as answered
    PYTHONPATH=src python benchmarks/vote_load.py --server gunicorn   # gunicorn (gthread) instead

What it does:

1. Creates a fresh PostgreSQL database (``--db``, default ``voteload``; it is
   dropped first), migrates it, and prepares an assembly through the site's
   actions: a public conversation with ``--statements`` accepted statements
   and public voting open.
2. Starts the server on 127.0.0.1 with persistent database connections:
   granian (WSGI, ``--workers`` processes of ``--threads`` blocking threads;
   the default when it is installed) or gunicorn (``gthread``, so
   connections are kept alive).
3. Runs the load generator in another process: ``--voters`` concurrent
   simulated members of the public on asyncio (plain HTTP/1.1 keep-alive
   connections, no third-party client). Each opens the voting page once
   (which gives it its browser cookie and CSRF token), then votes on the
   statements in a random order without repeating one, and polls the map
   version after every fifth vote (``--poll-every``); when it has voted on
   every statement it becomes a new browser. By default (``--rate 500``) the
   voters are paced so that together they offer 500 votes a second, and a
   vote's latency counts from when it was due, so a server that falls behind
   shows it. With ``--rate 0`` each voter votes again as soon as it is
   answered (a closed loop: by Little's law the mean latency is then
   voters / requests per second, whatever the server does). The generator stops sending after
   ``--duration`` seconds and waits for the answers in flight.
4. Counts the votes stored in the database and prints, as its last line,
   ``votes/s N p50_ms A p99_ms B sent S stored T`` where ``sent`` counts the
   votes the server answered with 200 and ``stored`` the vote rows in the
   database (each simulated browser votes on each statement at most once,
   so the two must be equal). The line before it gives the CPU time spent
   during the run, per vote, by the gunicorn processes, the database's
   backends (and its WAL writer, background writer and checkpointer), and
   the load generator: on a shared machine these say more than the rates.

The per-browser rate limit (``MINIPUBLIC_PUBLIC_VOTES_PER_MINUTE``, default
120) is raised for the run, because each simulated browser votes far faster
than a person can; everything else is the production code path. The map is
not recomputed during the run (no task worker is started), as in
production, where it runs in a separate worker process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _servers import (  # benchmarks/_servers.py (this folder)
    granian_command,
    gunicorn_command,
    installed,
)

REPO = Path(__file__).resolve().parents[1]
SLUG = "vote-load"


# --- setting up -------------------------------------------------------------------


def _psql(sql: str, *, db: str = "postgres", url: str) -> list:
    import psycopg

    with psycopg.connect(f"{url}/{db}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if sql.lstrip().upper().startswith("SELECT") else []


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_snapshot(server_pid: int, db: str, url: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the gunicorn workers and of the database's backends, per pid."""
    backends = _psql(
        "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
        f"(datname = '{db}' OR backend_type IN ('walwriter', 'background writer', 'checkpointer'))",
        url=url,
    )
    return {
        "server": {pid: _cpu_seconds(pid) for pid in [server_pid, *_children(server_pid)]},
        "database": {pid: _cpu_seconds(pid) for (pid,) in backends},
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds spent between two snapshots (a process new since *before* counts from 0)."""
    return {
        part: sum(max(0.0, t - before[part].get(pid, 0.0)) for pid, t in after[part].items())
        for part in after
    }


PREPARE = r"""
import json, sys
import django
django.setup()
from minipublic.web.assemblies.actions import do_create_assembly, do_change_phase
from minipublic.web.assemblies.models import Phase
from minipublic.web.people.actions import do_create_staff_account
from minipublic.web.deliberation import actions
n = int(sys.argv[1])
user = do_create_staff_account(email="load@example.org", password="load-test-password-2040",
                               display_name="Load Test", can_create_assemblies=True)
assembly = do_create_assembly(title="Vote load", question="How fast can people vote?",
    commissioner="Nobody", slug="vote-load", languages=["en"], public_summary="", is_public=True,
    acting_user=user)
conversation = actions.do_start_conversation(assembly, topic="Load test", moderation="strict",
    public_voting=True, map_public=True, refresh_threshold=10**9, acting_user=user)
ids = [actions.do_add_seed_statement(conversation, f"Load-test statement number {i} about the town.",
                                     acting_user=user).pk for i in range(n)]
print(json.dumps(ids))
"""


def prepare(args, env) -> list[int]:
    base = args.postgres.rstrip("/")
    _psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', url=base)
    _psql(f'CREATE DATABASE "{args.db}"', url=base)
    python = sys.executable
    subprocess.run(
        [python, "-m", "django", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        cwd=REPO,
    )
    out = subprocess.run(
        [python, "-c", PREPARE, str(args.statements)],
        env=env,
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def server_command(args) -> list[str]:
    """The production server's command line: granian (WSGI) or gunicorn (gthread)."""
    here = str(Path(__file__).resolve().parent)
    common = {"port": args.port, "workers": args.workers, "threads": args.threads}
    if args.server == "granian":
        return granian_command("vote_load_wsgi:application", working_dir=here, **common)
    return gunicorn_command("vote_load_wsgi:application", pythonpath=here, **common)


def start_server(args, env) -> subprocess.Popen:
    proc = subprocess.Popen(server_command(args), env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{args.port}/a/{SLUG}/opinion-map/version.json", timeout=2
            )
            return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"{args.server} did not answer within 60 s")


# --- the load generator (its own process) -------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection with just enough parsing for this test."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b""):
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            head.append(f"Content-Length: {len(body)}")
            try:
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError
                status = int(status_line.split()[1])
                length, cookies, close = 0, {}, False
                while True:
                    line = await self.reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    name, value = name.strip().lower(), value.strip()
                    if name == "content-length":
                        length = int(value)
                    elif name == "set-cookie":
                        k, _, rest = value.partition("=")
                        cookies[k] = rest.split(";", 1)[0]
                    elif name == "connection" and value.lower() == "close":
                        close = True
                data = await self.reader.readexactly(length) if length else b""
                if close:
                    self.close()
                return status, cookies, data
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt or method == "POST":
                    raise
        raise ConnectionError

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def open_page(conn: Connection, stats: dict):
    """GET the voting page: the browser cookie and CSRF token (None on failure)."""
    try:
        status, cookies, _ = await conn.request("GET", f"/a/{SLUG}/statements/", {})
    except (ConnectionError, OSError):
        status, cookies = 0, {}
    if status != 200 or "mp_voter" not in cookies or "csrftoken" not in cookies:
        stats["errors"] += 1
        await asyncio.sleep(0.05)
        return None
    return cookies


async def voter(
    n: int, port: int, ids: list[int], start: asyncio.Event, stats: dict, clock: dict
) -> None:
    poll_every = clock["poll_every"]
    rng = random.Random(n)
    conn = Connection(port)
    cookies = None
    while cookies is None:
        cookies = await open_page(conn, stats)
    stats["ready"] += 1
    if stats["ready"] == stats["voters"]:
        clock["stop_at"] = time.monotonic() + clock["duration"]
        clock["start"] = time.monotonic()
        clock["cpu_start"] = time.process_time()
        print("start", flush=True)  # the parent reads the servers' CPU times now
        start.set()
    await start.wait()
    stop_at = clock["stop_at"]
    # With --rate, this voter's k-th vote is due at `due`, then every `every`
    # seconds (voters staggered); a vote's latency counts from when it was due,
    # so a server that falls behind is not hidden by voters waiting on it.
    every = clock["every"]
    due = clock["start"] + every * n / stats["voters"]
    while time.monotonic() < stop_at:
        if cookies is None:
            cookies = await open_page(conn, stats)
            continue
        cookie = f"mp_voter={cookies['mp_voter']}; csrftoken={cookies['csrftoken']}"
        headers = {
            "Cookie": cookie,
            "X-CSRFToken": cookies["csrftoken"],
            "X-Requested-With": "fetch",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        order = ids[:]
        rng.shuffle(order)
        cookies = None  # after the last statement: a new browser
        for i, sid in enumerate(order):
            if time.monotonic() >= stop_at:
                return
            body = f"statement={sid}&vote={rng.choice(('agree', 'disagree', 'pass'))}".encode()
            if every:
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                # From when it was due: now if on time, earlier if late (wait < 0). The
                # pacing sleep itself is not latency.
                t0 = time.perf_counter() + min(0.0, wait)
                due += every
            else:
                t0 = time.perf_counter()
            try:
                status, _, _ = await conn.request(
                    "POST", f"/a/{SLUG}/statements/vote/", headers, body
                )
            except (ConnectionError, OSError):
                stats["errors"] += 1
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            if status == 200:
                stats["sent"] += 1
                stats["latencies"].append(elapsed)
            else:
                stats["errors"] += 1
                stats["codes"][status] = stats["codes"].get(status, 0) + 1
            if poll_every and i % poll_every == poll_every - 1:
                t0 = time.perf_counter()
                try:
                    status, _, _ = await conn.request(
                        "GET", f"/a/{SLUG}/opinion-map/version.json", {"Cookie": cookie}
                    )
                    stats["polls"] += 1
                    stats["poll_latencies"].append((time.perf_counter() - t0) * 1000)
                except (ConnectionError, OSError):
                    stats["errors"] += 1


async def generate(
    port: int, ids: list[int], voters: int, duration: float, poll_every: int, rate: float
) -> dict:
    stats = {
        "sent": 0,
        "errors": 0,
        "polls": 0,
        "latencies": [],
        "poll_latencies": [],
        "codes": {},
        "ready": 0,
        "voters": voters,
    }
    start = asyncio.Event()
    clock = {"duration": duration, "poll_every": poll_every, "every": voters / rate if rate else 0}
    await asyncio.gather(*(voter(n, port, ids, start, stats, clock) for n in range(voters)))
    stats["seconds"] = time.monotonic() - clock["start"]
    stats["cpu"] = time.process_time() - clock["cpu_start"]
    return stats


def generator_main(argv) -> None:
    port, voters, duration, ids_file = int(argv[0]), int(argv[1]), float(argv[2]), argv[3]
    poll_every, rate = int(argv[4]), float(argv[5])
    ids = json.loads(Path(ids_file).read_text())
    stats = asyncio.run(generate(port, ids, voters, duration, poll_every, rate))
    lat = sorted(stats["latencies"]) or [0.0]
    polls = sorted(stats["poll_latencies"]) or [0.0]
    print(
        json.dumps(
            {
                "sent": stats["sent"],
                "errors": stats["errors"],
                "codes": stats["codes"],
                "polls": stats["polls"],
                "seconds": stats["seconds"],
                "cpu": stats["cpu"],
                "p50": statistics.median(lat),
                "p99": lat[min(len(lat) - 1, int(0.99 * len(lat)))],
                "poll_p50": statistics.median(polls),
                "poll_p99": polls[min(len(polls) - 1, int(0.99 * len(polls)))],
            }
        )
    )


# --- main ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--statements", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--poll-every", type=int, default=5, help="votes between map-version polls (0: none)"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=500.0,
        help="votes a second offered by all voters together, each voter paced "
        "(0: every voter votes again as soon as answered)",
    )
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        default="granian" if installed("granian") else "gunicorn",
        help="the production WSGI server (granian: pip install granian)",
    )
    parser.add_argument("--db", default="voteload")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/8",
        help="REDIS_URL of the site (its cache: rate limits, map version); '' for none",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="voteload-"))
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DJANGO_SETTINGS_MODULE": "minipublic.web.settings",
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.db}",
        "MINIPUBLIC_DATA_DIR": str(data_dir),
        "CONN_MAX_AGE": "600",
        "MINIPUBLIC_PUBLIC_VOTES_PER_MINUTE": "1000000",
        "REDIS_URL": args.redis,
        # The deployment checks (no console mail, a public address) pass as in production.
        "MINIPUBLIC_EMAIL": "file",
        "MINIPUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
    }
    print(f"Preparing database {args.db} with {args.statements} statements…", flush=True)
    ids = prepare(args, env)
    ids_file = data_dir / "ids.json"
    ids_file.write_text(json.dumps(ids))
    print(
        f"Starting gunicorn: {args.workers} workers x {args.threads} threads on port {args.port}",
        flush=True,
    )
    server = start_server(args, env)
    try:
        print(f"{args.voters} voters for {args.duration:g} s…", flush=True)
        generator = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--generate",
                str(args.port),
                str(args.voters),
                str(args.duration),
                str(ids_file),
                str(args.poll_every),
                str(args.rate),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        pg = args.postgres.rstrip("/")
        before = None
        for line in generator.stdout:
            if line.strip() == "start":
                before = cpu_snapshot(server.pid, args.db, pg)
            elif line.startswith("{"):
                result = json.loads(line)
                used = cpu_used(before, cpu_snapshot(server.pid, args.db, pg))
        if generator.wait() != 0:
            raise SystemExit("the load generator failed")
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = _psql(
        "SELECT count(*) FROM deliberation_vote", db=args.db, url=args.postgres.rstrip("/")
    )[0][0]
    if not args.keep:
        _psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', url=args.postgres.rstrip("/"))
    shutil.rmtree(data_dir, ignore_errors=True)
    rate = result["sent"] / result["seconds"]
    used["generator"] = result["cpu"]
    requests = result["sent"] + result["polls"]
    print(
        "CPU over the run, ms per vote (and per request, votes + polls): "
        + ", ".join(
            f"{part} {1000 * t / max(1, result['sent']):.2f} ({1000 * t / max(1, requests):.2f})"
            for part, t in used.items()
        )
        + f"; total {1000 * sum(used.values()) / max(1, result['sent']):.2f} ms per vote"
    )
    print(
        f"errors {result['errors']} {result['codes']} · map-version polls {result['polls']} "
        f"(p50 {result['poll_p50']:.1f} ms, p99 {result['poll_p99']:.1f} ms) · "
        f"{result['seconds']:.1f} s · cores {os.cpu_count()} · load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"votes/s {rate:.0f} p50_ms {result['p50']:.1f} p99_ms {result['p99']:.1f} "
        f"sent {result['sent']} stored {stored}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generator_main(sys.argv[2:])
    else:
        main()

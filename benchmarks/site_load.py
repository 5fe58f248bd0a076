"""Load test of the public pages and the member home: gunicorn on PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, gunicorn installed):

    PYTHONPATH=src python benchmarks/site_load.py                      # 50 clients, 30 s
    PYTHONPATH=src python benchmarks/site_load.py --duration 10        # a short check

What it does:

1. Creates a fresh PostgreSQL database (``--db``, default ``siteload``; it is
   dropped first) and loads the demo into it with ``minipublic demo
   --no-serve`` (which migrates it), with ``MINIPUBLIC_DATA_DIR`` pointing at a
   temporary folder. The demo prints a member's single-use sign-in link.
2. Starts gunicorn (``--workers`` processes of ``--threads`` threads,
   ``gthread`` so connections are kept alive) on 127.0.0.1 with persistent
   database connections (``CONN_MAX_AGE``), and waits until it answers.
3. Signs the demo member in the way a browser does: opens the link (a page
   with a form), posts the form with its CSRF token, and keeps the session
   cookie.
4. Runs the load generator in another process: ``--clients`` concurrent
   clients on asyncio (plain HTTP/1.1 keep-alive connections to 127.0.0.1
   only, no third-party client). Each requests the pages below in a random
   order (seeded) for ``--duration`` seconds or until ``--max-requests``
   requests have been sent in all, whichever comes first, then waits for
   the answers in flight. The member home is requested with the member's
   session cookie; the other pages anonymously.
5. Prints one line per page (requests, requests/s, p50 and p99 in ms, errors:
   any answer other than 200, or a broken connection) and, as its last line,
   ``requests/s N p50_ms A p99_ms B errors E`` over all pages.

The demo's data are small (one assembly of a few dozen members), so the
figures measure the site's own overhead per page (middleware, templates,
queries) rather than large tables. The generator shares the machine with the
server: on a machine with few cores the figures are lower bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _servers import gunicorn_command  # benchmarks/_servers.py (this folder)

REPO = Path(__file__).resolve().parents[1]
SLUG = "aberwen-climate"
PAGES = {
    "home": "/",
    "assembly": f"/a/{SLUG}/",
    "lottery": f"/a/{SLUG}/lottery/",
    "api list": "/api/assemblies",
    "api detail": f"/api/assemblies/{SLUG}",
    "follow-up": f"/a/{SLUG}/follow-up/",
    "member home": f"/a/{SLUG}/me/",
}
MEMBER_PAGE = "member home"


# --- setting up -------------------------------------------------------------------


def _psql(sql: str, *, db: str = "postgres", url: str) -> list:
    import psycopg

    with psycopg.connect(f"{url}/{db}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if sql.lstrip().upper().startswith("SELECT") else []


def prepare(args, env) -> str:
    """Create the database, load the demo; return the member's sign-in link path."""
    base = args.postgres.rstrip("/")
    _psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', url=base)
    _psql(f'CREATE DATABASE "{args.db}"', url=base)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from minipublic.cli import main; main()",
            "demo",
            "--no-serve",
            "--port",
            str(args.port),
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"minipublic demo --no-serve failed:\n{out.stdout}\n{out.stderr}")
    match = re.search(r"https?://\S+(/signin/\S+?/)", out.stdout)
    if not match:
        raise SystemExit(f"no sign-in link in the demo's output:\n{out.stdout}")
    return match.group(1)


def start_server(args, env) -> subprocess.Popen:
    command = gunicorn_command(
        "minipublic.web.wsgi:application",
        port=args.port,
        workers=args.workers,
        threads=args.threads,
    )
    proc = subprocess.Popen(command, env=env, cwd=REPO)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/api/assemblies", timeout=2)
            return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer within 90 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def sign_in(port: int, link_path: str) -> str:
    """Open the sign-in link, post its form; return the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"http://127.0.0.1:{port}{link_path}"
    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        raise SystemExit("the sign-in page has no form with a CSRF token")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1)}).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    answer = opener.open(request, timeout=30)
    if not answer.geturl().rstrip("/").endswith("/me"):
        raise SystemExit(f"signing in led to {answer.geturl()}, not the member home")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


# --- the load generator (its own process) -------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection with just enough parsing for this test."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict) -> int:
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            head = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            try:
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError
                status = int(status_line.split()[1])
                length, close, chunked = 0, False, False
                while True:
                    line = await self.reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    name, value = name.strip().lower(), value.strip()
                    if name == "content-length":
                        length = int(value)
                    elif name == "transfer-encoding" and "chunked" in value.lower():
                        chunked = True
                    elif name == "connection" and value.lower() == "close":
                        close = True
                if chunked:
                    while True:
                        size = int((await self.reader.readline()).split(b";")[0], 16)
                        await self.reader.readexactly(size + 2)
                        if size == 0:
                            break
                elif length:
                    await self.reader.readexactly(length)
                if close:
                    self.close()
                return status
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise ConnectionError

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def client(n: int, port: int, cookie: str, stats: dict, clock: dict) -> None:
    rng = random.Random(n)
    conn = Connection(port)
    names = list(PAGES)
    while time.monotonic() < clock["stop_at"] and stats["sent"] < clock["max_requests"]:
        name = rng.choice(names)
        headers = {"Cookie": cookie} if name == MEMBER_PAGE else {}
        stats["sent"] += 1
        t0 = time.perf_counter()
        try:
            status = await conn.get(PAGES[name], headers)
        except (ConnectionError, OSError, ValueError):
            status = 0
        elapsed = (time.perf_counter() - t0) * 1000
        page = stats["pages"][name]
        if status == 200:
            page["latencies"].append(elapsed)
        else:
            page["errors"] += 1
            page["codes"][status] = page["codes"].get(status, 0) + 1
    conn.close()


async def generate(port: int, cookie: str, clients: int, duration: float, max_requests: int):
    stats = {
        "sent": 0,
        "pages": {name: {"latencies": [], "errors": 0, "codes": {}} for name in PAGES},
    }
    start = time.monotonic()
    clock = {"stop_at": start + duration, "max_requests": max_requests}
    await asyncio.gather(*(client(n, port, cookie, stats, clock) for n in range(clients)))
    stats["seconds"] = time.monotonic() - start
    return stats


def _summary(latencies: list[float], errors: int, seconds: float) -> dict:
    lat = sorted(latencies) or [0.0]
    return {
        "requests": len(latencies) + errors,
        "rate": (len(latencies) + errors) / seconds,
        "p50": statistics.median(lat),
        "p99": lat[min(len(lat) - 1, int(0.99 * len(lat)))],
        "errors": errors,
    }


def generator_main(argv) -> None:
    port, clients, duration, max_requests = int(argv[0]), int(argv[1]), float(argv[2]), int(argv[3])
    cookie = sys.stdin.read().strip()
    stats = asyncio.run(generate(port, cookie, clients, duration, max_requests))
    seconds = stats["seconds"]
    result = {"seconds": seconds, "pages": {}}
    every, every_errors = [], 0
    for name, page in stats["pages"].items():
        result["pages"][name] = {
            **_summary(page["latencies"], page["errors"], seconds),
            "codes": page["codes"],
        }
        every += page["latencies"]
        every_errors += page["errors"]
    result["all"] = _summary(every, every_errors, seconds)
    print(json.dumps(result))


# --- main ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--db", default="siteload")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    base = args.postgres.rstrip("/")
    data_dir = Path(tempfile.mkdtemp(prefix="siteload-"))
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DJANGO_SETTINGS_MODULE": "minipublic.web.settings",
        "DATABASE_URL": f"{base}/{args.db}",
        "MINIPUBLIC_DATA_DIR": str(data_dir),
        "MINIPUBLIC_BASE_URL": f"http://127.0.0.1:{args.port}",
        "CONN_MAX_AGE": "600",
    }
    env.pop("DEBUG", None)
    server = None
    try:
        print(f"Loading the demo into database {args.db}…", flush=True)
        link = prepare(args, env)
        print(
            f"Starting gunicorn: {args.workers} workers x {args.threads} threads "
            f"on 127.0.0.1:{args.port}",
            flush=True,
        )
        server = start_server(args, env)
        cookie = sign_in(args.port, link)
        print(
            f"{args.clients} clients for {args.duration:g} s "
            f"(at most {args.max_requests} requests)…",
            flush=True,
        )
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--generate",
                str(args.port),
                str(args.clients),
                str(args.duration),
                str(args.max_requests),
            ],
            input=cookie,
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            _psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)', url=base)
        shutil.rmtree(data_dir, ignore_errors=True)
    width = max(len(name) for name in PAGES)
    print(f"{'page':<{width}}  requests  requests/s  p50_ms  p99_ms  errors")
    for name, page in result["pages"].items():
        codes = f" {page['codes']}" if page["codes"] else ""
        print(
            f"{name:<{width}}  {page['requests']:>8}  {page['rate']:>10.1f}  "
            f"{page['p50']:>6.1f}  {page['p99']:>6.1f}  {page['errors']:>6}{codes}"
        )
    print(
        f"{result['seconds']:.1f} s · {args.clients} clients · gunicorn {args.workers}x"
        f"{args.threads} · cores {os.cpu_count()} · load average {os.getloadavg()[0]:.1f}"
    )
    total = result["all"]
    print(
        f"requests/s {total['rate']:.0f} p50_ms {total['p50']:.1f} "
        f"p99_ms {total['p99']:.1f} errors {total['errors']}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generator_main(sys.argv[2:])
    else:
        main()

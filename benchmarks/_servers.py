"""Production-server command lines the load benchmarks start (vote_load.py, site_load.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def installed(command: str) -> str | None:
    """The command on PATH or beside this Python (the virtualenv's bin), else None."""
    found = shutil.which(command) or str(Path(sys.executable).with_name(command))
    return found if Path(found).exists() else None


def gunicorn_command(
    app: str, *, port: int, workers: int, threads: int, pythonpath: str | None = None
) -> list[str]:
    """gunicorn with preloading, gthread workers (keep-alive) and a long backlog."""
    path = ["--pythonpath", pythonpath] if pythonpath else []
    return [
        installed("gunicorn") or "gunicorn",
        app,
        *path,
        "--preload",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]


def granian_command(
    app: str, *, port: int, workers: int, threads: int, working_dir: str
) -> list[str]:
    """granian's WSGI interface, ``threads`` blocking threads per worker process."""
    granian = installed("granian")
    if granian is None:
        raise SystemExit("granian is not installed: pip install granian (or use --server gunicorn)")
    return [
        granian,
        "--interface",
        "wsgi",
        "--working-dir",
        working_dir,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--no-ws",
        app,
    ]

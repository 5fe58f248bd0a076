"""Run manifests: what was run, on what, with which seed, solver and versions."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["build_manifest", "file_sha256", "write_manifest"]


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for pkg in ("minipublic", "numpy", "scipy", "pandas", "highspy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def build_manifest(command: str, *, inputs: dict, outputs: dict | None = None, **fields) -> dict:
    """A JSON-able run manifest.

    Parameters
    ----------
    command : str
        What was run (e.g. ``"sortition select"``).
    inputs : dict
        Name -> {"file": ..., "sha256": ...} of every input.
    outputs : dict, optional
        Name -> SHA-256 of every output file.
    **fields
        Seed, algorithm, solver, statistics, ... (must be JSON-able).
    """
    return {
        "command": command,
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": _versions(),
        "inputs": inputs,
        "outputs": outputs or {},
        **fields,
    }


def write_manifest(path: str | Path, manifest: dict) -> None:
    """Write a manifest as indented JSON."""
    Path(path).write_text(json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n")

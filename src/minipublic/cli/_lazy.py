"""Deferred imports for the command line, so ``minipublic --help`` starts at once.

The group modules name the heavy libraries they use (pandas, the core
packages) through these proxies; the real import happens the first time a
command touches them.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from types import ModuleType


class LazyModule(ModuleType):
    """A module imported on first attribute access."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attr: str):
        module = importlib.import_module(self.__dict__["_lazy_name"])
        return getattr(module, attr)


def lazy_module(name: str) -> LazyModule:
    """``pd = lazy_module("pandas")`` imports pandas when ``pd.<x>`` is first used."""
    return LazyModule(name)


def lazy_function(module: str, name: str):
    """A stand-in for ``from module import name`` (a callable), imported on first call."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    call.__qualname__ = name
    return call


class LazyConsole:
    """A ``rich.console.Console`` made on first use (rich takes a while to import)."""

    def __init__(self, **kwargs) -> None:
        self._kwargs = kwargs
        self._console = None

    @property
    def real(self):
        """The console itself (to pass to rich, e.g. ``Progress(console=...)``)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._kwargs)
        return self._console

    def __getattr__(self, attr: str):
        return getattr(self.real, attr)


@contextmanager
def progress_bar(console: LazyConsole, label: str):
    """A transient bar on *console* (rich imported now); yields ``update(fraction, message)``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console.real,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=1.0)

        def update(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        yield update

"""What each site app adds to pages it does not own: tabs, member home, public links.

An app in ``settings.MINIPUBLIC_APPS`` may have a ``hooks.py`` with any of
these functions (each optional):

``nav_tabs(request, assembly) -> list[Tab]``
    Tabs in the staff navigation of an assembly, shown after the built-in ones.
    Return only the tabs the person may open (ask
    :func:`minipublic.web.permissions.request_can`).
``member_home(request, assembly, participant) -> list[Section]``
    Sections of the member's home page. Return only what the member can do
    *now* (read the phase), so the page never promises a feature that is not
    open.
``public_links(request, assembly) -> list[Link]``
    Links from the assembly's public page to the app's public pages.
``public_facts(request, assembly) -> list[Fact]``
    Live numbers for the public page ("1 912 people registered").

The site's pages call :func:`nav_tabs`, :func:`member_sections` and
:func:`public_links` below, which gather the answers of every app in the order
of ``MINIPUBLIC_APPS``. So a new app never edits another app's template.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Tab:
    """One tab of the staff navigation: ``active`` is matched against the page's ``active``."""

    url: str
    label: str
    active: str


@dataclass(frozen=True)
class Section:
    """One section of the member's home page, rendered from *template* with *context*.

    Sections are sorted by ``order`` (lower first); the built-in "next session"
    section is 0 and "what you can do now" is 100.
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class Link:
    """A link from the public page: *label* and *url*, with an optional one-line *note*."""

    url: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class Fact:
    """One live number on the public page: *value* (e.g. ``"1 912"``) and its *label*."""

    value: str
    label: str
    order: int = 50


@cache
def _hook_modules() -> tuple[ModuleType, ...]:
    modules = []
    for app in settings.MINIPUBLIC_APPS:
        try:
            modules.append(import_module(f"{app}.hooks"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.hooks":
                raise
    return tuple(modules)


def _gather(name: str, *args) -> list:
    found = []
    for module in _hook_modules():
        fn = getattr(module, name, None)
        if fn is not None:
            found.extend(fn(*args) or [])
    return found


def nav_tabs(request, assembly) -> list[Tab]:
    """Every app's staff tabs for *assembly* that the person may open."""
    return _gather("nav_tabs", request, assembly)


def member_sections(request, assembly, participant) -> list[SafeString]:
    """Every app's member-home sections, rendered, in ``order``."""
    sections = sorted(_gather("member_home", request, assembly, participant), key=lambda s: s.order)
    base = {"assembly": assembly, "participant": participant}
    return [render_to_string(s.template, {**base, **s.context}, request=request) for s in sections]


def public_links(request, assembly) -> list[Link]:
    """Every app's public pages about *assembly*."""
    return _gather("public_links", request, assembly)


def public_facts(request, assembly) -> list[Fact]:
    """Every app's live numbers about *assembly*, in ``order``."""
    return sorted(_gather("public_facts", request, assembly), key=lambda f: f.order)

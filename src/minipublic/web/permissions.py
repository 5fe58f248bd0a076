"""Who may do what: one table, collected from every app's ``permissions.py``.

Each app's ``permissions.py`` defines ``RULES``, a dict of rows::

    RULES = {
        ("organiser", "change", "phase"): has_next_phase,
        ("member", "view", "member_home"): always,
    }

keyed by ``(role, action, subject)`` with a predicate ``f(ctx) -> bool`` over
a :class:`Context`. A person may do ``(action, subject)`` when any role they
hold in the assembly has a row whose predicate is true. No row means no.

Roles
-----
``anyone``
    Everybody, signed in or not.
``account``
    Any signed-in staff account (whatever its roles).
``member``
    A participant of this assembly signed in with their personal link.
``organiser``, ``facilitator``, ``commissioner``, ``evaluator``
    Staff roles held in this assembly (:class:`~minipublic.web.assemblies.models.StaffRole`).

Views use :func:`require_permission`; templates use ``{% can ... as var %}``
from the ``minipublic`` tag library to hide links a person cannot follow.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

ANYONE = "anyone"
ACCOUNT = "account"
MEMBER = "member"
STAFF_ROLES = ("organiser", "facilitator", "commissioner", "evaluator")
ROLES = (ANYONE, ACCOUNT, MEMBER, *STAFF_ROLES)

#: Largest primary key the databases hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Context:
    """What a predicate may look at."""

    user: Any
    participant: Any
    assembly: Any = None
    obj: Any = None


Predicate = Callable[[Context], bool]


def always(ctx: Context) -> bool:
    """The row applies without further condition."""
    return True


def in_phase(*phases: str) -> Predicate:
    """A predicate true while the assembly is in one of *phases* (``"select"``, …).

    The lifecycle decides when a step can happen: ``in_phase("select")`` for
    the draw, ``in_phase("register")`` for registration, and so on. Use it
    for rows that change things; reading usually stays ``always``.
    """

    def predicate(ctx: Context) -> bool:
        return ctx.assembly is not None and ctx.assembly.phase in phases

    predicate.__name__ = f"in_phase({', '.join(map(repr, phases))})"
    predicate.phases = phases
    return predicate


@cache
def rules() -> dict[tuple[str, str, str], Predicate]:
    """Return the whole table, merged from ``<app>.permissions.RULES`` for every site app."""
    table: dict[tuple[str, str, str], Predicate] = {}
    for app in settings.MINIPUBLIC_APPS:
        try:
            module = import_module(f"{app}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name == f"{app}.permissions":
                continue
            raise
        for key, predicate in module.RULES.items():
            role, action, subject = key
            if role not in ROLES:
                raise ImproperlyConfigured(f"{app}.permissions: unknown role {role!r} in {key}")
            if key in table:
                raise ImproperlyConfigured(f"{app}.permissions: row {key} is defined twice")
            table[key] = predicate
    return table


def roles_of(user: Any, participant: Any, assembly: Any) -> set[str]:
    """Return the roles *user* and/or *participant* hold for *assembly* (or site-wide)."""
    from minipublic.web.assemblies.models import StaffRole

    roles = {ANYONE}
    if user is not None and user.is_authenticated and user.is_active:
        roles.add(ACCOUNT)
        if assembly is not None:
            roles.update(
                StaffRole.objects.filter(assembly=assembly, user=user).values_list(
                    "role", flat=True
                )
            )
    if (
        participant is not None
        and assembly is not None
        and participant.is_active
        and participant.assembly_id == assembly.pk
    ):
        roles.add(MEMBER)
    return roles


def can(
    user: Any,
    participant: Any,
    action: str,
    subject: str,
    *,
    assembly: Any = None,
    obj: Any = None,
    roles: set[str] | None = None,
) -> bool:
    """Return whether the person may do *action* on *subject*."""
    table = rules()
    ctx = Context(user=user, participant=participant, assembly=assembly, obj=obj)
    held = roles if roles is not None else roles_of(user, participant, assembly)
    return any(
        (predicate := table.get((role, action, subject))) is not None and predicate(ctx)
        for role in held
    )


def request_roles(request, assembly: Any) -> set[str]:
    """Roles of the person making *request*, cached on the request per assembly."""
    cache_ = request.__dict__.setdefault("_minipublic_roles", {})
    key = assembly.pk if assembly is not None else None
    if key not in cache_:
        cache_[key] = roles_of(request.user, getattr(request, "participant", None), assembly)
    return cache_[key]


def request_can(request, action: str, subject: str, *, assembly: Any = None, obj: Any = None):
    """:func:`can` for the person making *request*."""
    return can(
        request.user,
        getattr(request, "participant", None),
        action,
        subject,
        assembly=assembly,
        obj=obj,
        roles=request_roles(request, assembly),
    )


def require_permission(action: str, subject: str, *, hide: bool = False):
    """View decorator: load the assembly from the ``slug`` URL argument and check the table.

    Sets ``request.assembly`` (or ``None`` for site-wide pages). A refused
    person who is not signed in at all is sent to the sign-in page; a signed-in
    one gets 403. With ``hide=True`` a refusal is a 404, so that private
    assemblies do not reveal that they exist.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            from minipublic.web.assemblies.models import Assembly

            # Ids from the address bar beyond what the database holds are
            # simply not found (not an overflow error and a 500).
            if any(isinstance(v, int) and not 0 <= v <= MAX_ID for v in kwargs.values()):
                raise Http404
            assembly = None
            if "slug" in kwargs:
                assembly = get_object_or_404(Assembly, slug=kwargs["slug"])
            request.assembly = assembly
            if not request_can(request, action, subject, assembly=assembly):
                if hide:
                    raise Http404
                signed_in = request.user.is_authenticated or (
                    getattr(request, "participant", None) is not None
                )
                if not signed_in:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permission = (action, subject)
        return wrapped

    return decorator

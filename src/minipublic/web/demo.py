"""The demo: a fixed cast and a registry of per-app loaders.

Each app in ``settings.MINIPUBLIC_APPS`` may have a ``demo.py`` with a
function ``load(demo: Demo) -> None``. :func:`load_demo` runs them in the
order of that list, inside one transaction, so a later app (recruitment,
selection) can build on what an earlier one made. Loaders create rows through
the apps' actions, so demo data carries audit lines like real data.

Tests reuse the cast by name: ``CAST["organiser"].email`` is
``"olivia@example.org"``, member ``"Megan"`` is ``MEMBERS[0]``; ``OTHER_MEMBER``
belongs to the other assembly.
"""

import random
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction

DEMO_SLUG = "aberwen-climate"
OTHER_SLUG = "riverside-transport"
DEMO_PASSWORD = "aberwen-demo-2040"
DEMO_SEED = 2040
DEMO_QUESTION = "How should we reach net zero by 2040 in a way that is fair to everyone?"


@dataclass(frozen=True)
class Person:
    email: str
    name: str


# Staff of the demo assembly, by role; "other_organiser" runs a second,
# private assembly and must see nothing of the first.
CAST = {
    "organiser": Person("olivia@example.org", "Olivia Owen"),
    "facilitator": Person("fergus@example.org", "Fergus Finch"),
    "commissioner": Person("carys@example.org", "Carys Cole"),
    "evaluator": Person("evan@example.org", "Evan Ellis"),
    "other_organiser": Person("oscar@example.org", "Oscar Okafor"),
}

# Members of the demo assembly: (first name, last name, preferred language).
MEMBERS = [
    ("Megan", "Morgan", "en"),
    ("Dafydd", "Jones", "cy"),
    ("Priya", "Shah", "en"),
    ("Tom", "Baker", "en"),
    ("Aisha", "Bello", "en"),
    ("Gwen", "Price", "cy"),
    ("Sam", "Taylor", "en"),
    ("Hannah", "Lewis", "en"),
]

# A member of the other assembly (Riverside): signed in, yet a stranger to Aberwen.
OTHER_MEMBER = ("Rhodri", "Evans", "en")


@dataclass
class Demo:
    """What the loaders share: the seeded random generator and the objects made so far.

    ``objects`` is keyed by name (``"assembly"``, ``"other_assembly"``,
    ``"organiser"``, ``"member:Megan"``, ...). ``notes`` are lines the CLI
    prints at the end (logins, links).
    """

    seed: int = DEMO_SEED
    rng: random.Random = field(default_factory=lambda: random.Random(DEMO_SEED))
    objects: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def demo_loaders(apps: list[str] | None = None) -> list[tuple[str, Any]]:
    """Return ``(app, load)`` for every site app (or each of *apps*) that has a ``demo.py``."""
    loaders = []
    for app in settings.MINIPUBLIC_APPS:
        if apps is not None and app not in apps:
            continue
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name == f"{app}.demo":
                continue
            raise
        loaders.append((app, module.load))
    return loaders


def demo_loaded() -> bool:
    """Return whether the demo assembly already exists."""
    from minipublic.web.assemblies.models import Assembly

    return Assembly.objects.filter(slug=DEMO_SLUG).exists()


DEMO_MAILER = "django.core.mail.backends.dummy.EmailBackend"


@transaction.atomic
def _load(*, seed: int = DEMO_SEED, progress=None, apps: list[str] | None = None) -> Demo:
    """Run every app's demo loader in order and return the shared :class:`Demo`.

    Parameters
    ----------
    seed : int
        Seed of the random generator the loaders share.
    progress : callable, optional
        ``progress(fraction, message)`` after each loader.
    apps : list of str, optional
        Run only these apps' loaders (in settings order), e.g. the foundation
        apps for fast browser tests. Default: every app.
    """
    demo = Demo(seed=seed, rng=random.Random(seed))
    loaders = demo_loaders(apps)
    for i, (app, load) in enumerate(loaders):
        load(demo)
        if progress is not None:
            progress((i + 1) / len(loaders), app.rsplit(".", 1)[-1])
    return demo


def load_demo(*, seed: int = DEMO_SEED, progress=None, apps: list[str] | None = None) -> Demo:
    """Load the demo (see :func:`_load` for the parameters) in one transaction.

    The demo's people are made up: the mail its actions send (thousands of
    "not selected this time" messages, sign-in links) goes nowhere, even
    when SMTP is set up.
    """
    from django.test.utils import override_settings

    with override_settings(MAILERS={"default": {"BACKEND": DEMO_MAILER}}):
        return _load(seed=seed, progress=progress, apps=apps)

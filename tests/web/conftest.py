"""Fixtures for the site's tests: the demo cast, loaded once per test database.

The demo (minipublic.web.demo) is loaded into the test database once per
session; each test runs in a transaction that is rolled back, so tests may
change the demo freely. Tests that need a real server (browser tests) use
``live_demo``, which loads the demo into a flushed database per test.

Use the cast by name: ``user("organiser")``, ``member("Megan")``,
``client_as("facilitator")``, ``client_as("member")``, ``client_as("other_member")``
(a member of the other assembly).
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings

from minipublic.web.demo import CAST, DEMO_SLUG, MEMBERS, OTHER_MEMBER, OTHER_SLUG, load_demo

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class _OneRequestAtATime(ThreadedWSGIServer):
    """The browser tests' live server, answering one request at a time on SQLite.

    On an in-memory SQLite test database every server thread shares the test's
    one connection (``connections_override``), and a browser fetches a page's
    images and scripts in parallel: two requests on one SQLite connection at
    once fail ("bad parameter or other API misuse", or a query seeing another's
    half-read rows). A real server has a connection per thread, so here the
    requests take turns; connections stay threaded (keep-alive still works).
    On PostgreSQL each thread has its own connection and nothing is shared.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, connections_override=connections_override, **kwargs)
        self._turn = threading.Lock() if connections_override else None

    def set_app(self, application):
        if self._turn is None:
            return super().set_app(application)
        turn = self._turn

        def one_at_a_time(environ, start_response):
            with turn:
                result = application(environ, start_response)
                try:
                    return [b"".join(result)]
                finally:
                    if hasattr(result, "close"):
                        result.close()

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATime

# Who can be asked for by name in the page-access table and tests.
WHO = (
    "anonymous",
    "member",
    "organiser",
    "facilitator",
    "commissioner",
    "evaluator",
    "other_staff",
    "other_member",
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database and load the demo into it once."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load_demo()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _site_language():
    """Start each test in the site's default language and leave it so.

    A request in Welsh (LocaleMiddleware) leaves Welsh active in the thread
    that made it; the next test in that worker would read Welsh messages.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def demo_assembly(db):
    from minipublic.web.assemblies.models import Assembly

    return Assembly.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def other_assembly(db):
    from minipublic.web.assemblies.models import Assembly

    return Assembly.objects.get(slug=OTHER_SLUG)


@pytest.fixture
def user(db):
    """``user("organiser")`` → the demo cast's staff account for that role."""
    from minipublic.web.people.models import User

    def get(role: str) -> User:
        return User.objects.get(email=CAST[role].email)

    return get


@pytest.fixture
def member(db):
    """``member("Megan")`` → that demo member's Participant."""
    from minipublic.web.people.models import Participant

    def get(first_name: str = MEMBERS[0][0]) -> Participant:
        return Participant.objects.select_related("personal_details", "assembly").get(
            assembly__slug=DEMO_SLUG, personal_details__first_name=first_name
        )

    return get


def sign_in_member(client: Client, participant) -> Client:
    """Put *participant* in *client*'s session, as a used sign-in link would."""
    from minipublic.web.people.middleware import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()
    return client


@pytest.fixture
def other_member(db):
    """``other_member()`` → the other assembly's member (:data:`OTHER_MEMBER`)."""
    from minipublic.web.people.models import Participant

    def get() -> Participant:
        return Participant.objects.select_related("personal_details", "assembly").get(
            assembly__slug=OTHER_SLUG, personal_details__first_name=OTHER_MEMBER[0]
        )

    return get


@pytest.fixture
def client_as(db, user, member, other_member):
    """``client_as(who)`` → a test client signed in as one of :data:`WHO`."""

    def make(who: str) -> Client:
        client = Client()
        if who == "anonymous":
            return client
        if who == "member":
            return sign_in_member(client, member())
        if who == "other_staff":
            client.force_login(user("other_organiser"))
            return client
        if who == "other_member":
            return sign_in_member(client, other_member())
        client.force_login(user(who))
        return client

    return make


FOUNDATION_APPS = ["minipublic.web.assemblies", "minipublic.web.people"]


@pytest.fixture
def live_demo(transactional_db, live_server):
    """A live server with the foundation part of the demo loaded; returns the Demo.

    Only the assemblies and people loaders run (fast); a browser test of a
    later app loads the rest with ``load_demo(apps=[...])``.
    """
    from django.core.management import call_command

    # The first transactional test still sees the session's committed demo.
    call_command("flush", interactive=False, verbosity=0)
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        demo = load_demo(apps=FOUNDATION_APPS)
    demo.objects["base_url"] = live_server.url
    return demo


@pytest.fixture
def run_queue(monkeypatch):
    """``run_queue()`` runs every queued task in this process, as the worker of `minipublic serve` would.

    The worker closes "old" connections between tasks; inside a test's
    transaction that would close the test's own connection (PostgreSQL), so
    that step is switched off here.
    """
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    return run


# Browser tests: Playwright driving Debian's Chromium against the live server.
# Skips with a reason when /usr/bin/chromium is missing (apt-get install chromium).
# Screenshots go to var/screenshots/ (git-ignored). Defined here, once, so the
# session-wide browser is shared by every app's browser tests.

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in this thread; the test body's
# database calls are still synchronous, so Django's guard must be lifted.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser):
    """``page_factory(phone=False)`` → a fresh page in its own context (own cookies)."""
    contexts = []

    def make(*, phone: bool = False):
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            device_scale_factor=1,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    """``shot(page, "name")`` saves a full-page screenshot and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1 (MPL-2.0), from npm


@pytest.fixture
def axe():
    """``axe(page)`` runs axe-core (WCAG 2.1 A/AA rules) on the page and fails on any violation.

    It also fails when the page is wider than its window (a phone must not scroll sideways).
    Call it after every page a browser test opens, in each language it tests.
    """

    def check(page, *, allow: tuple[str, ...] = ()) -> None:
        # Evaluated through the DevTools protocol, which the site's content
        # security policy does not govern (add_script_tag would be an inline
        # script, which the policy blocks).
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        violations = page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: 'tag',
               values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}))
               .violations.map(v => ({id: v.id, impact: v.impact,
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
        )
        violations = [v for v in violations if v["id"] not in allow]
        assert not violations, f"axe on {page.url}: {violations}"
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not wide, f"{page.url} is wider than the {page.viewport_size['width']} px window"

    return check

"""Site commands: ``demo``, ``serve``, ``createstaff`` and ``manage``.

Each command points Django at the data folder (``--data-dir``, else
``MINIPUBLIC_DATA_DIR``, else ``./var``) before Django starts, because the
settings read it once at start-up.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer

from minipublic.cli._lazy import LazyConsole

console = LazyConsole()
err_console = LazyConsole(stderr=True)

DataDirOption = typer.Option(
    None,
    "--data-dir",
    help="Folder for the database, secret key and sent mail (default: $MINIPUBLIC_DATA_DIR or ./var).",
)


def _setup(data_dir: Path | None) -> None:
    """Set the environment and start Django."""
    if data_dir is not None:
        os.environ["MINIPUBLIC_DATA_DIR"] = str(data_dir.resolve())
    os.environ.setdefault("MINIPUBLIC_DATA_DIR", str(Path("var").resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipublic.web.settings")
    import django

    django.setup()


def _fail(message: str) -> None:
    err_console.print(f"[red]{message}[/red]", highlight=False)
    raise typer.Exit(2)


def _migrate() -> None:
    from django.core.management import call_command

    with console.status("Preparing the database…"):
        call_command("migrate", interactive=False, verbosity=0)


def _worker_command() -> list[str]:
    """The task worker for the configured backend (database queue, or RQ when REDIS_URL is set)."""
    from django.conf import settings

    base = [sys.executable, "-m", "django"]
    if settings.REDIS_URL:
        return [*base, "rqworker", "--job-class", "django_tasks_rq.Job", "default"]
    return [*base, "db_worker", "--interval", "1", "--no-startup-delay"]


def _serve(host: str, port: int, *, worker: bool = True, threads: int = 8) -> None:
    """Run the web server in this process and a task worker beside it; stop both on Ctrl-C."""
    from minipublic.web.wsgi import application

    proc = None
    if worker:
        proc = subprocess.Popen(_worker_command(), env=os.environ.copy())
    # SIGTERM (from a service manager) stops cleanly like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    console.print(f"Serving on [bold]http://{host}:{port}/[/bold] — press Ctrl-C to stop.")
    try:
        try:
            from waitress import serve
        except ImportError:
            from django.core.servers.basehttp import WSGIServer, run

            run(host, port, application, threading=True, server_cls=WSGIServer)
        else:
            serve(application, host=host, port=port, threads=threads, _quiet=True)
    except KeyboardInterrupt:
        pass
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        console.print("Stopped.")


def demo(
    data_dir: Path | None = DataDirOption,
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8000, help="Port to serve on."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve after loading."),
) -> None:
    """Create a data folder, load the demo assembly, print the logins and serve it."""
    os.environ.setdefault("MINIPUBLIC_BASE_URL", f"http://{host}:{port}")
    _setup(data_dir)
    from django.conf import settings
    from django.test.utils import override_settings

    from minipublic.errors import MinipublicError
    from minipublic.web.demo import DEMO_SLUG, MEMBERS, demo_loaded, load_demo

    _migrate()
    try:
        # The demo's own notifications (phase changes, invitations) would
        # flood the console; keep them in memory.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            if demo_loaded():
                notes = _fresh_demo_notes()
            else:
                with console.status("Loading the demo assembly…"):
                    notes = load_demo().notes
    except MinipublicError as exc:
        _fail(str(exc))
    console.print(f"Data folder: {settings.DATA_DIR}")
    console.print(f"Demo assembly: http://{host}:{port}/a/{DEMO_SLUG}/")
    for line in notes:
        console.print(line, highlight=False, soft_wrap=True)
    console.print(f"(Member {MEMBERS[0][0]} opens the link, then presses “Sign in”.)")
    if serve:
        _serve(host, port)


def _fresh_demo_notes() -> list[str]:
    """When the demo exists already, issue a new member link (the old one may be used)."""
    from minipublic.web.demo import CAST, DEMO_PASSWORD, DEMO_SLUG, MEMBERS
    from minipublic.web.people.actions import do_issue_sign_in_link
    from minipublic.web.people.models import Participant

    first = MEMBERS[0][0]
    participant = Participant.objects.filter(
        assembly__slug=DEMO_SLUG, personal_details__first_name=first
    ).first()
    notes = [f"Organiser sign-in: {CAST['organiser'].email} / password {DEMO_PASSWORD}"]
    if participant is not None:
        link = do_issue_sign_in_link(participant, acting_user=None, send_email=False)
        notes.append(f"Member sign-in link for {first} (works once): {link}")
    return notes


def serve(
    data_dir: Path | None = DataDirOption,
    host: str = typer.Option("127.0.0.1", help="Address to serve on."),
    port: int = typer.Option(8000, help="Port to serve on."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Start a task worker too."),
    migrate: bool = typer.Option(True, "--migrate/--no-migrate", help="Apply migrations first."),
    threads: int = typer.Option(8, help="Web server threads."),
) -> None:
    """Run the site: web server and background-task worker in one command."""
    _setup(data_dir)
    if migrate:
        _migrate()
    _serve(host, port, worker=worker, threads=threads)


def createstaff(
    email: str = typer.Argument(..., help="The staff member's email address (their login)."),
    name: str = typer.Option("", help="Their name as shown to others."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="MINIPUBLIC_STAFF_PASSWORD",
        help="Password (asked for when not given; or set MINIPUBLIC_STAFF_PASSWORD).",
    ),
    can_create: bool = typer.Option(
        True, "--can-create/--no-can-create", help="May start new assemblies."
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create a staff account that can sign in and start assemblies."""
    _setup(data_dir)
    from django.core.exceptions import ValidationError

    from minipublic.web.people.actions import check_create_staff_account

    _migrate()
    try:
        user = check_create_staff_account(
            email=email, password=password, display_name=name, can_create_assemblies=can_create
        )
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        _fail("; ".join(messages))
    console.print(f"Created staff account {user.email}.")


def manage(ctx: typer.Context) -> None:
    """Run one of Django's management commands, e.g. ``minipublic manage migrate``."""
    _setup(None)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minipublic manage", *ctx.args])


def register(app: typer.Typer) -> None:
    """Add the site's top-level commands to *app*."""
    app.command()(demo)
    app.command()(serve)
    app.command()(createstaff)
    app.command(
        context_settings={
            "allow_extra_args": True,
            "ignore_unknown_options": True,
            "help_option_names": [],
        },
        add_help_option=False,
    )(manage)

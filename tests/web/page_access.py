"""Which role can open which page: the table read by test_page_access.py.

Every page of the site has one :func:`page` row giving the expected HTTP
status for each person in ``WHO``. A row must name all eight, so that adding a
page forces a decision for every role. ``test_every_page_is_listed`` fails
when a URL of a site app has no row here.

Adding an app (e.g. ``learning``): put its rows in ``tests/web/<app>/access.py``
as a list ``PAGES`` (import :func:`page`, the status helpers and
:func:`placeholder` from this module); the rows of every such file are added to
``PAGES`` at the end of this module. URLs may use ``{demo}`` and ``{other}`` (the demo
assemblies' slugs) and any ``{name}`` returned by a resolver registered in
``PLACEHOLDERS`` (a function ``(db objects) -> str`` run inside the test).

The two strangers: ``other_staff`` organises, and ``other_member`` is a member
of, the other (private) demo assembly. Neither is anyone in the demo
assembly: ``other_member`` gets what an anonymous visitor gets on public
pages, 403 where the visitor would be sent to sign in (they are signed in,
as a member of the wrong assembly), 302 to the staff sign-in on staff-account
pages (they have no account), and 404 for an object of another assembly.

Statuses: 200 shown; 302 redirect (to sign-in for anonymous, or after a
successful POST); 403 signed in but not allowed; 404 hidden (private
assembly); 405 wrong method.
"""

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Page:
    name: str  # the URL name, "namespace:name"
    url: str
    expected: dict[str, int]
    method: str = "get"
    data: dict = field(default_factory=dict)


def page(name: str, url: str, *, method: str = "get", data: dict | None = None, **expected: int):
    """One row: *expected* maps each of :data:`WHO` to an HTTP status."""
    missing = set(WHO) - set(expected)
    extra = set(expected) - set(WHO)
    if missing or extra:
        raise ValueError(f"page {name}: missing roles {sorted(missing)}, unknown {sorted(extra)}")
    return Page(name, url, dict(expected), method, data or {})


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(WHO, status)


def staff_only(ok: int = 200, *, member: int = 403, other: int = 403) -> dict[str, int]:
    """Any staff role of the demo assembly gets *ok*; a member of another assembly 403."""
    return {
        "anonymous": 302,
        "member": member,
        "organiser": ok,
        "facilitator": ok,
        "commissioner": ok,
        "evaluator": ok,
        "other_staff": other,
        "other_member": 403,
    }


def organiser_only(ok: int = 200) -> dict[str, int]:
    return {
        "anonymous": 302,
        "member": 403,
        "organiser": ok,
        "facilitator": 403,
        "commissioner": 403,
        "evaluator": 403,
        "other_staff": 403,
        "other_member": 403,
    }


def signed_in(ok: int = 200) -> dict[str, int]:
    """Any signed-in staff account; a member (no account) is sent to the staff sign-in."""
    return {**dict.fromkeys(WHO, ok), "anonymous": 302, "member": 302, "other_member": 302}


# Placeholders resolved inside the test (they need the database).
PLACEHOLDERS: dict[str, object] = {}


def placeholder(name: str):
    def register(fn):
        PLACEHOLDERS[name] = fn
        return fn

    return register


@placeholder("demo_role_id")
def _demo_role_id():
    from minipublic.web.assemblies.models import StaffRole

    return StaffRole.objects.get(
        assembly__slug="aberwen-climate", role="facilitator", user__email="fergus@example.org"
    ).pk


@placeholder("demo_progress_id")
def _demo_progress_id():
    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.demo import DEMO_SLUG
    from minipublic.web.people.tasks import run_send_sign_in_links
    from minipublic.web.progress.actions import do_start_task

    assembly = Assembly.objects.get(slug=DEMO_SLUG)
    # Inside the test's transaction the task is never enqueued: only the row is needed.
    return do_start_task(run_send_sign_in_links, kind="test", title="test", assembly=assembly).pk


@placeholder("member_link")
def _member_link():
    """A fresh, valid sign-in link path for the member Dafydd."""
    from minipublic.web.people.actions import do_issue_sign_in_link
    from minipublic.web.people.models import Participant

    dafydd = Participant.objects.get(personal_details__first_name="Dafydd")
    link = do_issue_sign_in_link(dafydd, acting_user=None, send_email=False)
    return link.rstrip("/").rsplit("/", 1)[1]


@placeholder("recruitment_file_id")
def _recruitment_file_id():
    from minipublic.web.recruitment.models import AddressFile

    return AddressFile.objects.get(assembly__slug="aberwen-climate").pk


@placeholder("recruitment_address_id")
def _recruitment_address_id():
    from minipublic.web.recruitment.models import Address

    return (
        Address.objects.filter(assembly__slug="aberwen-climate", invited=True)
        .order_by("pk")
        .first()
        .pk
    )


@placeholder("recruitment_support_id")
def _recruitment_support_id():
    from minipublic.web.recruitment.models import SupportArrangement

    return (
        SupportArrangement.objects.filter(registrant__assembly__slug="aberwen-climate")
        .order_by("pk")
        .first()
        .pk
    )


@placeholder("recruitment_free_code")
def _recruitment_free_code():
    from minipublic.web.recruitment.models import Address

    return (
        Address.objects.filter(
            assembly__slug="aberwen-climate", invited=True, registrant__isnull=True
        )
        .order_by("pk")
        .first()
        .letter_code
    )


@placeholder("recruitment_open_token")
def _recruitment_open_token():
    from minipublic.web.recruitment.models import RegistrationSettings

    return RegistrationSettings.objects.get(assembly__slug="aberwen-climate").open_link_token


PAGES = [
    # --- assemblies --------------------------------------------------------
    page("assemblies:home", "/", **everyone(200)),
    page("assemblies:my_assemblies", "/staff/", **signed_in(200)),
    page(
        "assemblies:create",
        "/staff/new/",
        **{
            **signed_in(200),
            "member": 403,
            "other_member": 403,
            "facilitator": 403,
            "commissioner": 403,
            "evaluator": 403,
        },
    ),
    page("assemblies:public_page", "/a/{demo}/", **everyone(200)),
    page(
        "assemblies:public_page",
        "/a/{other}/",
        anonymous=404,
        member=404,
        organiser=404,
        facilitator=404,
        commissioner=404,
        evaluator=404,
        other_staff=200,
        other_member=200,  # a private assembly's page is open to its own members
    ),
    page("assemblies:dashboard", "/a/{demo}/dashboard/", **staff_only(200)),
    page(
        "assemblies:dashboard",
        "/a/{other}/dashboard/",
        anonymous=302,
        member=403,
        organiser=403,
        facilitator=403,
        commissioner=403,
        evaluator=403,
        other_staff=200,
        other_member=403,
    ),
    page(
        "assemblies:change_phase",
        "/a/{demo}/phase/next/",
        method="post",
        data={"to_phase": "deliberate"},
        **organiser_only(302),
    ),
    page("assemblies:change_phase", "/a/{demo}/phase/next/", **everyone(405)),
    page("assemblies:reopen_phase", "/a/{demo}/phase/reopen/", **organiser_only(200)),
    page("assemblies:edit", "/a/{demo}/edit/", **organiser_only(200)),
    page("assemblies:phase_dates", "/a/{demo}/dates/", **organiser_only(200)),
    page("assemblies:schedule_meeting", "/a/{demo}/sessions/new/", **organiser_only(200)),
    page("assemblies:staff", "/a/{demo}/staff/", **organiser_only(200)),
    page(
        "assemblies:remove_staff_role",
        "/a/{demo}/staff/{demo_role_id}/remove/",
        method="post",
        **organiser_only(302),
    ),
    page("assemblies:audit_log", "/a/{demo}/audit/", **organiser_only(200)),
    # --- people -------------------------------------------------------------
    page(
        "people:login",
        "/accounts/login/",
        **{**everyone(302), "anonymous": 200, "member": 200, "other_member": 200},
    ),
    page("people:logout", "/accounts/logout/", method="post", **everyone(302)),
    page("people:password_reset", "/accounts/password-reset/", **everyone(200)),
    page("people:password_reset_sent", "/accounts/password-reset/sent/", **everyone(200)),
    page("people:password_set", "/accounts/password-set/", **everyone(200)),
    page("people:set_password", "/accounts/set-password/MQ/bad-token/", **everyone(200)),
    page("people:sign_in", "/signin/{member_link}/", **everyone(200)),
    page("people:sign_in", "/signin/not-a-real-link/", **everyone(400)),
    page("people:sign_out", "/signout/", method="post", **everyone(302)),
    page(
        "people:member_home",
        "/a/{demo}/me/",
        anonymous=302,
        member=200,
        organiser=403,
        facilitator=403,
        commissioner=403,
        evaluator=403,
        other_staff=403,
        other_member=403,  # signed in as a member, but of the other assembly
    ),
    page(
        "people:member_home",
        "/a/{other}/me/",
        anonymous=302,
        member=403,
        organiser=403,
        facilitator=403,
        commissioner=403,
        evaluator=403,
        other_staff=403,
        other_member=200,
    ),
    page("people:members", "/a/{demo}/members/", **organiser_only(200)),
    page(
        "people:add_member",
        "/a/{demo}/members/add/",
        method="post",
        data={"first_name": "Rhys", "preferred_language": "cy"},
        **organiser_only(302),
    ),
    page(
        "people:send_sign_in_links",
        "/a/{demo}/members/send-links/",
        method="post",
        **organiser_only(302),
    ),
    # --- progress -----------------------------------------------------------
    page(
        "progress:partial",
        "/a/{demo}/progress/{demo_progress_id}/",
        **staff_only(200),
    ),
    # --- recruitment --------------------------------------------------------
    page("recruitment:overview", "/a/{demo}/recruitment/", **organiser_only(200)),
    page("recruitment:settings", "/a/{demo}/recruitment/settings/", **organiser_only(200)),
    page(
        "recruitment:settings",
        "/a/{demo}/recruitment/settings/",
        method="post",
        data={"is_open": "on", "questions": ["gender", "trust_in_government"], "areas": "north"},
        **organiser_only(302),
    ),
    page(
        "recruitment:upload_addresses",
        "/a/{demo}/recruitment/addresses/upload/",
        method="post",
        data={"area_column": "area"},
        **organiser_only(403),
    ),
    page(
        "recruitment:upload_addresses", "/a/{demo}/recruitment/addresses/upload/", **everyone(405)
    ),
    page(
        "recruitment:set_weights",
        "/a/{demo}/recruitment/weights/",
        method="post",
        data={},
        **organiser_only(403),
    ),
    page(
        "recruitment:import_weights",
        "/a/{demo}/recruitment/weights/import/",
        method="post",
        **organiser_only(403),
    ),
    page(
        "recruitment:run_lottery",
        "/a/{demo}/recruitment/addresses/{recruitment_file_id}/lottery/",
        method="post",
        data={"n_letters": "10", "seed": "again"},
        **organiser_only(403),
    ),
    page(
        "recruitment:letters_pdf",
        "/a/{demo}/recruitment/addresses/{recruitment_file_id}/letters.pdf",
        **organiser_only(302),
    ),
    page(
        "recruitment:make_letters",
        "/a/{demo}/recruitment/addresses/{recruitment_file_id}/make-letters/",
        method="post",
        **organiser_only(403),
    ),
    page(
        "recruitment:letters_csv",
        "/a/{demo}/recruitment/addresses/{recruitment_file_id}/letters.csv",
        **organiser_only(200),
    ),
    page(
        "recruitment:door_knocking", "/a/{demo}/recruitment/door-knocking/", **organiser_only(200)
    ),
    page(
        "recruitment:record_door_knock",
        "/a/{demo}/recruitment/door-knocking/{recruitment_address_id}/",
        method="post",
        data={"note": "no answer"},
        **organiser_only(403),
    ),
    page("recruitment:import_pool", "/a/{demo}/recruitment/import/", **organiser_only(200)),
    page("recruitment:registrants", "/a/{demo}/recruitment/registrants/", **organiser_only(200)),
    page("recruitment:support_board", "/a/{demo}/recruitment/support/", **organiser_only(200)),
    page(
        "recruitment:update_support",
        "/a/{demo}/recruitment/support/{recruitment_support_id}/",
        method="post",
        data={"state": "arranged", "arrangement": "taxi booked", "cost": "12.50"},
        **organiser_only(302),
    ),
    page(
        "recruitment:overview",
        "/a/{other}/recruitment/",
        **{**organiser_only(403), "other_staff": 200},
    ),
    # The demo is in the learn phase: registration has closed (410 and a page saying so).
    page("recruitment:register", "/a/{demo}/register/", **everyone(410)),
    page(
        "recruitment:register",
        "/a/{demo}/register/",
        method="post",
        data={"code": "NOPE-NOPE"},
        **everyone(410),
    ),
    page(
        "recruitment:register_code", "/a/{demo}/register/{recruitment_free_code}/", **everyone(410)
    ),
    page("recruitment:register_code", "/a/{demo}/register/NOPE-NOPE/", **everyone(410)),
    page("recruitment:open_link", "/a/{demo}/join/{recruitment_open_token}/", **everyone(410)),
    page("recruitment:open_link", "/a/{demo}/join/wrong-token/", **everyone(404)),
    page("recruitment:registered", "/a/{demo}/register/done/", **everyone(200)),
]


# --- selection ------------------------------------------------------------------
@placeholder("selection_run_id")
def _selection_run_id():
    from minipublic.web.selection.models import SelectionRun

    return SelectionRun.objects.get(assembly__slug="aberwen-climate", status="drawn").pk


@placeholder("panel_member_id")
def _panel_member_id():
    from minipublic.web.selection.models import PanelMember

    return (
        PanelMember.objects.filter(
            run__assembly__slug="aberwen-climate", active=True, registrant__status="invited"
        )
        .order_by("pk")
        .first()
        .pk
    )


def _organiser_and_evaluator(ok: int = 200) -> dict[str, int]:
    return {**organiser_only(ok), "evaluator": ok}


PAGES += [
    page("selection:overview", "/a/{demo}/selection/", **_organiser_and_evaluator(200)),
    page("selection:quotas", "/a/{demo}/selection/quotas/", **organiser_only(200)),
    # The demo is in the learn phase: quotas, runs and the draw can no longer change (403).
    page("selection:quotas", "/a/{demo}/selection/quotas/", method="post", **organiser_only(403)),
    page(
        "selection:quota_features",
        "/a/{demo}/selection/quotas/features/",
        method="post",
        **organiser_only(403),
    ),
    page(
        "selection:quota_check",
        "/a/{demo}/selection/quotas/check/",
        method="post",
        **organiser_only(403),
    ),
    page(
        "selection:quota_relax",
        "/a/{demo}/selection/quotas/relax/",
        method="post",
        **organiser_only(403),
    ),
    page("selection:start_run", "/a/{demo}/selection/run/", method="post", **organiser_only(403)),
    page(
        "selection:run",
        "/a/{demo}/selection/runs/{selection_run_id}/",
        **_organiser_and_evaluator(200),
    ),
    page(
        "selection:probabilities_csv",
        "/a/{demo}/selection/runs/{selection_run_id}/probabilities.csv",
        **_organiser_and_evaluator(200),
    ),
    page(
        "selection:draw",
        "/a/{demo}/selection/runs/{selection_run_id}/draw/",
        method="post",
        **organiser_only(403),
    ),
    page("selection:panel", "/a/{demo}/selection/panel/", **organiser_only(200)),
    page(
        "selection:invite",
        "/a/{demo}/selection/panel/invite/",
        method="post",
        **organiser_only(302),
    ),
    page(
        "selection:respond",
        "/a/{demo}/selection/panel/{panel_member_id}/respond/",
        method="post",
        **organiser_only(400),
    ),
    page(
        "selection:replace",
        "/a/{demo}/selection/panel/{panel_member_id}/replace/",
        method="post",
        **organiser_only(400),
    ),
    page(
        "selection:overview", "/a/{other}/selection/", **{**organiser_only(403), "other_staff": 200}
    ),
    page("selection:transparency", "/a/{demo}/lottery/", **everyone(200)),
    page(
        "selection:transparency",
        "/a/{other}/lottery/",
        **{**everyone(404), "other_staff": 200, "other_member": 200},
    ),
    page("selection:published_file", "/a/{demo}/lottery/distribution.csv", **everyone(200)),
    page("selection:published_file", "/a/{demo}/lottery/manifest.json", **everyone(200)),
    page("selection:published_file", "/a/{demo}/lottery/secret.txt", **everyone(404)),
    page(
        "selection:published_file",
        "/a/{other}/lottery/distribution.csv",
        **everyone(404),
    ),
]


# --- the apps' own files: tests/web/<app>/access.py ------------------------------
def _app_pages() -> list[Page]:
    import importlib
    import pkgutil
    from pathlib import Path

    found = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if not info.ispkg:
            continue
        name = f"{__package__}.{info.name}.access"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.extend(module.PAGES)
    return found


PAGES += _app_pages()

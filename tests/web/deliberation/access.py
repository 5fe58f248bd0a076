"""Access rows of the ``deliberation`` app (read by tests/web/page_access.py).

The demo conversation: strict moderation, public voting and a public map,
criteria list closed, meta-consensus survey closed; the assembly is in the
learn phase, so members take part in criteria and the survey only once the
organiser moves it to "deliberate" (tested in test_views.py).
"""

from ..page_access import everyone, page, placeholder, staff_only

DEMO = "aberwen-climate"


def _facilitators(ok: int = 200) -> dict[str, int]:
    return {
        "anonymous": 302,
        "member": 403,
        "organiser": ok,
        "facilitator": ok,
        "commissioner": 403,
        "evaluator": 403,
        "other_staff": 403,
        "other_member": 403,
    }


def _statement(status: str, **filters):
    from minipublic.web.deliberation.models import Statement

    return (
        Statement.objects.filter(conversation__assembly__slug=DEMO, status=status, **filters)
        .order_by("pk")
        .first()
        .pk
    )


@placeholder("delib_pending_id")
def _pending_id():
    return _statement("pending")


@placeholder("delib_statement_id")
def _accepted_id():
    return _statement("accepted")


@placeholder("delib_megan_statement_id")
def _megan_statement_id():
    return _statement("accepted", author__participant__personal_details__first_name="Megan")


PAGES = [
    # staff pages
    page("deliberation:manage", "/a/{demo}/deliberation/", **staff_only(200)),
    page(
        "deliberation:manage",
        "/a/{other}/deliberation/",
        **{**staff_only(403), "other_staff": 200},
    ),
    page(
        "deliberation:manage",
        "/a/{demo}/deliberation/",
        method="post",
        data={"topic": "x", "moderation": "strict", "max_length": "280", "refresh_threshold": "5"},
        **{**staff_only(403), "organiser": 302},
    ),
    page(
        "deliberation:add_statement",
        "/a/{demo}/deliberation/statements/add/",
        method="post",
        data={"seed-text": "The library should lend energy monitors."},
        **_facilitators(302),
    ),
    page("deliberation:add_statement", "/a/{demo}/deliberation/statements/add/", **everyone(405)),
    page("deliberation:moderate", "/a/{demo}/deliberation/moderate/", **_facilitators(200)),
    page(
        "deliberation:moderate_statement",
        "/a/{demo}/deliberation/moderate/{delib_pending_id}/",
        method="post",
        data={"decision": "accept"},
        **_facilitators(302),
    ),
    page(
        "deliberation:moderate_statement",
        "/a/{other}/deliberation/moderate/{delib_pending_id}/",
        method="post",
        data={"decision": "accept"},
        **_facilitators(403),
    ),
    page(
        "deliberation:moderation_csv",
        "/a/{demo}/deliberation/moderation-log.csv",
        **staff_only(200),
    ),
    page(
        "deliberation:refresh_map",
        "/a/{demo}/deliberation/map/refresh/",
        method="post",
        **_facilitators(302),
    ),
    page("deliberation:room", "/a/{demo}/deliberation/room/", **staff_only(200)),
    page("deliberation:value_map", "/a/{demo}/deliberation/value-map/", **_facilitators(200)),
    page(
        "deliberation:criteria",
        "/a/{demo}/deliberation/criteria/",
        **staff_only(200, member=200),
    ),
    page("deliberation:proposals", "/a/{demo}/deliberation/proposals/", **_facilitators(200)),
    page("deliberation:heatmap", "/a/{demo}/deliberation/heat-map/", **staff_only(200, member=200)),
    page("deliberation:dri", "/a/{demo}/deliberation/meta-consensus/", **staff_only(200)),
    page(
        "deliberation:dri",
        "/a/{demo}/deliberation/meta-consensus/",
        method="post",
        data={"what": "run", "seed": "1"},
        **{**staff_only(403), "organiser": 302, "evaluator": 302},
    ),
    # members and the public (public voting and the public map are open in the demo)
    page("deliberation:vote", "/a/{demo}/statements/", **everyone(200)),
    page(
        "deliberation:vote",
        "/a/{other}/statements/",
        **{**everyone(403), "anonymous": 302},
    ),
    page("deliberation:next", "/a/{demo}/statements/next.json", **everyone(200)),
    page(
        "deliberation:cast",
        "/a/{demo}/statements/vote/",
        method="post",
        data={"statement": "0", "vote": "agree"},
        **everyone(302),
    ),
    page("deliberation:cast", "/a/{demo}/statements/vote/", **everyone(405)),
    page("deliberation:write", "/a/{demo}/statements/write/", **everyone(200)),
    page(
        "deliberation:edit_own",
        "/a/{demo}/statements/{delib_megan_statement_id}/edit/",
        **{**everyone(404), "member": 200},
    ),
    page("deliberation:map", "/a/{demo}/opinion-map/", **everyone(200)),
    page(
        "deliberation:map",
        "/a/{other}/opinion-map/",
        **{**everyone(403), "anonymous": 302, "other_staff": 404},
    ),
    page("deliberation:map_version", "/a/{demo}/opinion-map/version.json", **everyone(200)),
    page(
        "deliberation:score",
        "/a/{demo}/criteria/score/",
        **{**everyone(403), "anonymous": 302},
    ),
    page(
        "deliberation:survey",
        "/a/{demo}/meta-consensus/",
        **{**everyone(403), "anonymous": 302},
    ),
]

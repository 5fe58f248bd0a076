"""Access rows of the ``followup`` app."""

from ..page_access import WHO, everyone, organiser_only, page, placeholder, staff_only


@placeholder("followup_rec")
def _followup_rec():
    from minipublic.web.decisions.models import Recommendation

    return (
        Recommendation.objects.filter(assembly__slug="aberwen-climate", outcome="adopted")
        .order_by("number")
        .first()
        .number
    )


@placeholder("follower_token")
def _follower_token():
    from minipublic.web.followup.models import Follower

    return Follower.objects.filter(assembly__slug="aberwen-climate").first().token


def _commissioner_only(ok: int) -> dict[str, int]:
    return {**organiser_only(403), "organiser": 403, "commissioner": ok}


# The demo assembly is in the "learn" phase: responses, reports, verdicts and
# joint statements open in the respond phase, so those pages refuse for now.
_members = {**dict.fromkeys(WHO, 403), "anonymous": 302, "member": 200}

PAGES = [
    page("followup:tracker", "/a/{demo}/follow-up/", **everyone(200)),
    page(
        "followup:tracker",
        "/a/{other}/follow-up/",
        **{**everyone(404), "other_staff": 200, "other_member": 200},
    ),
    page("followup:feed", "/a/{demo}/follow-up/feed.atom", **everyone(200)),
    page(
        "followup:feed",
        "/a/{other}/follow-up/feed.atom",
        **{**everyone(404), "other_staff": 200, "other_member": 200},
    ),
    page("followup:follow", "/a/{demo}/follow-up/follow/", method="post", **everyone(400)),
    page(
        "followup:follow",
        "/a/{other}/follow-up/follow/",
        method="post",
        **{**everyone(404), "other_staff": 404},
    ),
    page("followup:detail", "/a/{demo}/follow-up/{followup_rec}/", **everyone(200)),
    page("followup:detail", "/a/{demo}/follow-up/999/", **everyone(404)),
    page("followup:manage", "/a/{demo}/follow-up/manage/", **staff_only(200)),
    page("followup:commitment", "/a/{demo}/follow-up/commitment/", **organiser_only(200)),
    page(
        "followup:export",
        "/a/{demo}/follow-up/tracker.csv",
        **{**organiser_only(200), "commissioner": 200},
    ),
    page(
        "followup:import", "/a/{demo}/follow-up/import/", method="post", **_commissioner_only(403)
    ),
    page(
        "followup:send_email",
        "/a/{demo}/follow-up/send-email/",
        method="post",
        **organiser_only(302),
    ),
    page(
        "followup:respond", "/a/{demo}/follow-up/{followup_rec}/respond/", **_commissioner_only(403)
    ),
    page(
        "followup:progress",
        "/a/{demo}/follow-up/{followup_rec}/progress/",
        **_commissioner_only(403),
    ),
    page("followup:statements", "/a/{demo}/follow-up/statements/", **_members),
    page(
        "followup:statement_sign",
        "/a/{demo}/follow-up/statements/1/sign/",
        method="post",
        **{**_members, "member": 403},
    ),
    page(
        "followup:statement_publish",
        "/a/{demo}/follow-up/statements/1/publish/",
        method="post",
        **{**_members, "member": 403},
    ),
    page("followup:confirm", "/follow-up/confirm/{follower_token}/", **everyone(200)),
    page(
        "followup:confirm",
        "/follow-up/confirm/00000000-0000-0000-0000-000000000000/",
        **everyone(404),
    ),
    page("followup:unsubscribe", "/follow-up/unsubscribe/{follower_token}/", **everyone(200)),
]

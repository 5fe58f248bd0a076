"""Access rows of the ``decisions`` app (read by tests/web/test_page_access.py).

The demo assembly is public and in the "learn" phase; its ballots were held
earlier and are closed. So members may read recommendations and results, but
proposing amendments, opening ballots and writing minority statements (which
need the deliberate/decide/respond phases) are refused for everyone.
"""

from ..page_access import everyone, organiser_only, page, placeholder, staff_only

D = "/a/{demo}/decisions"


@placeholder("decisions_ballot_id")
def _ballot_id():
    from minipublic.web.decisions.models import Ballot

    return Ballot.objects.filter(assembly__slug="aberwen-climate").order_by("pk").first().pk


@placeholder("decisions_amendment_id")
def _amendment_id():
    from minipublic.web.decisions.models import Amendment

    return (
        Amendment.objects.filter(
            recommendation__assembly__slug="aberwen-climate", recommendation__number=1
        )
        .order_by("pk")
        .first()
        .pk
    )


@placeholder("decisions_statement_id")
def _statement_id():
    from minipublic.web.decisions.models import MinorityStatement

    return MinorityStatement.objects.filter(recommendation__number=3).first().pk


def _only(ok: int, roles: tuple[str, ...], *, anonymous: int = 302) -> dict[str, int]:
    out = {
        "anonymous": anonymous,
        "member": 403,
        "organiser": 403,
        "facilitator": 403,
        "commissioner": 403,
        "evaluator": 403,
        "other_staff": 403,
        "other_member": 403,
    }
    out.update(dict.fromkeys(roles, ok))
    return out


REFUSED = _only(403, ())
MEMBER_AND_STAFF = {**staff_only(200), "member": 200}

PAGES = [
    page("decisions:overview", f"{D}/", **staff_only(200)),
    page("decisions:overview", "/a/{other}/decisions/", **_only(200, ("other_staff",))),
    page("decisions:theme_new", f"{D}/themes/new/", method="post", **organiser_only(302)),
    page("decisions:theme_new", f"{D}/themes/new/", **everyone(405)),
    page(
        "decisions:amendments_close_all",
        f"{D}/amendments/close/",
        method="post",
        **organiser_only(302),
    ),
    page("decisions:recommendation_new", f"{D}/new/", **_only(200, ("organiser", "facilitator"))),
    page("decisions:recommendation", f"{D}/r/1/", **MEMBER_AND_STAFF),
    page("decisions:recommendation", f"{D}/r/999/", **{**staff_only(404), "member": 404}),
    page(
        "decisions:recommendation",
        "/a/{other}/decisions/r/1/",
        **_only(404, ("other_staff", "other_member")),
    ),
    page(
        "decisions:recommendation_edit",
        f"{D}/r/1/edit/",
        **_only(200, ("organiser", "facilitator")),
    ),
    page("decisions:amendment_new", f"{D}/r/8/amendments/", method="post", **REFUSED),
    page(
        "decisions:amendments_toggle",
        f"{D}/r/8/amendments/toggle/",
        method="post",
        **organiser_only(302),
    ),
    page(
        "decisions:amendment_decide",
        f"{D}/r/1/amendments/{{decisions_amendment_id}}/decide/",
        method="post",
        **organiser_only(302),
    ),
    page(
        "decisions:amendment_promote",
        f"{D}/r/1/amendments/{{decisions_amendment_id}}/promote/",
        method="post",
        **organiser_only(302),
    ),
    page("decisions:statement_new", f"{D}/r/3/minority/new/", **REFUSED),
    page(
        "decisions:statement_sign",
        f"{D}/r/3/minority/{{decisions_statement_id}}/sign/",
        method="post",
        **REFUSED,
    ),
    page("decisions:ballot_new", f"{D}/ballots/new/", **organiser_only(200)),
    page("decisions:ballot", f"{D}/ballots/{{decisions_ballot_id}}/", **staff_only(200)),
    page(
        "decisions:ballot",
        "/a/{other}/decisions/ballots/{decisions_ballot_id}/",
        **_only(404, ("other_staff",)),
    ),
    page(
        "decisions:ballot_open",
        f"{D}/ballots/{{decisions_ballot_id}}/open/",
        method="post",
        **REFUSED,
    ),
    page(
        "decisions:ballot_close",
        f"{D}/ballots/{{decisions_ballot_id}}/close/",
        method="post",
        **organiser_only(302),
    ),
    page(
        "decisions:paper",
        f"{D}/ballots/{{decisions_ballot_id}}/paper/",
        **_only(200, ("organiser", "facilitator")),
    ),
    page("decisions:foreword", f"{D}/foreword/", **organiser_only(200)),
    page("decisions:vote", "/a/{demo}/vote/", **_only(200, ("member",))),
    page(
        "decisions:vote_cast",
        "/a/{demo}/vote/{decisions_ballot_id}/",
        method="post",
        **_only(302, ("member",)),
    ),
    page("decisions:results", "/a/{demo}/results/", **everyone(200)),
    page(
        "decisions:results",
        "/a/{other}/results/",
        **_only(200, ("other_staff", "other_member")),
    ),
    page("decisions:tally", "/a/{demo}/results/tally.csv", **everyone(200)),
    page("decisions:report", "/a/{demo}/report/", **everyone(200)),
    page("decisions:report_pdf", "/a/{demo}/report.pdf", **everyone(200)),
]

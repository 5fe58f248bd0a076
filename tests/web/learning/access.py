"""Access rows of the ``learning`` app's pages (read by tests/web/test_page_access.py)."""

from ..page_access import everyone, organiser_only, page, placeholder, staff_only

S = "/a/{demo}/learning/"
M = "/a/{demo}/me/learning/"


@placeholder("learning_meeting_id")
def _learning_meeting_id():
    """The demo's next weekend, which has a table plan."""
    from minipublic.web.learning.models import TablePlan

    return TablePlan.objects.filter(meeting__assembly__slug="aberwen-climate").first().meeting_id


@placeholder("learning_other_meeting_id")
def _learning_other_meeting_id():
    from minipublic.web.assemblies.models import Meeting

    return Meeting.objects.get(assembly__slug="riverside-transport").pk


@placeholder("learning_question_id")
def _learning_question_id():
    from minipublic.web.learning.models import Question

    return Question.objects.filter(assembly__slug="aberwen-climate").order_by("pk").first().pk


@placeholder("learning_claim_id")
def _learning_claim_id():
    from minipublic.web.learning.models import Claim

    return Claim.objects.filter(assembly__slug="aberwen-climate").order_by("pk").first().pk


@placeholder("learning_contribution_id")
def _learning_contribution_id():
    from minipublic.web.learning.models import Contribution

    return Contribution.objects.filter(assembly__slug="aberwen-climate").order_by("pk").first().pk


def member_only(ok: int = 200) -> dict[str, int]:
    """A member of the demo assembly; staff accounts are not members."""
    return {
        "anonymous": 302,
        "member": ok,
        "organiser": 403,
        "facilitator": 403,
        "commissioner": 403,
        "evaluator": 403,
        "other_staff": 403,
        "other_member": 403,
    }


def answerers(ok: int) -> dict[str, int]:
    """Organisers and facilitators."""
    return {**organiser_only(ok), "facilitator": ok}


PAGES = [
    # --- staff pages ---------------------------------------------------------
    page("learning:sessions", S, **staff_only(200)),
    page(
        "learning:sessions", "/a/{other}/learning/", **{**organiser_only(403), "other_staff": 200}
    ),
    page("learning:session_new", S + "sessions/new/", **organiser_only(200)),
    page(
        "learning:session_new",
        S + "sessions/new/",
        method="post",
        data={"title": "", "starts_at": "2026-12-24T10:00"},
        **organiser_only(200),  # the form again, with its errors
    ),
    page("learning:session", S + "sessions/{learning_meeting_id}/", **staff_only(200)),
    page(
        "learning:session",
        S + "sessions/{learning_other_meeting_id}/",
        **{**staff_only(404), "other_staff": 403},
    ),
    page(
        "learning:session",
        "/a/{other}/learning/sessions/{learning_meeting_id}/",
        **{**organiser_only(403), "other_staff": 404},
    ),
    page(
        "learning:session_edit", S + "sessions/{learning_meeting_id}/edit/", **organiser_only(200)
    ),
    page(
        "learning:session_edit",
        S + "sessions/{learning_other_meeting_id}/edit/",
        **organiser_only(404),
    ),
    page("learning:tables", S + "sessions/{learning_meeting_id}/tables/", **staff_only(200)),
    page(
        "learning:start_tables",
        S + "sessions/{learning_meeting_id}/tables/start/",
        method="post",
        data={"tables": "0", "rounds": "1"},
        **organiser_only(400),
    ),
    page(
        "learning:start_tables",
        S + "sessions/{learning_meeting_id}/tables/start/",
        **everyone(405),
    ),
    page(
        "learning:reseat",
        S + "sessions/{learning_meeting_id}/tables/reseat/",
        method="post",
        data={"round": "1"},
        **organiser_only(302),  # nobody ticked: back to the plan with a message
    ),
    page(
        "learning:tables_print",
        S + "sessions/{learning_meeting_id}/tables/print/",
        **organiser_only(200),
    ),
    page(
        "learning:tables_print",
        S + "sessions/{learning_other_meeting_id}/tables/print/",
        **organiser_only(404),
    ),
    page("learning:evidence", S + "evidence/", **staff_only(200)),
    page(
        "learning:speaker_add",
        S + "evidence/speakers/add/",
        method="post",
        data={"name": ""},
        **organiser_only(302),
    ),
    page(
        "learning:contribution_add",
        S + "evidence/add/",
        method="post",
        data={"title": ""},
        **organiser_only(302),
    ),
    page("learning:questions", S + "questions/", **staff_only(200)),
    page(
        "learning:question_answer",
        S + "questions/{learning_question_id}/answer/",
        method="post",
        data={"status": "in_writing", "answer": ""},
        **answerers(302),
    ),
    page("learning:claims", S + "claims/", **staff_only(200)),
    page(
        "learning:criterion_add",
        S + "claims/criteria/add/",
        method="post",
        data={"text": ""},
        **organiser_only(302),
    ),
    page("learning:claim_respond", S + "claims/{learning_claim_id}/respond/", **answerers(200)),
    page(
        "learning:claim_respond",
        S + "claims/{learning_claim_id}/respond/",
        method="post",
        data={"verdict": "nonsense"},
        **answerers(200),  # the form again, with its errors
    ),
    page(
        "learning:claim_flag",
        "/a/{demo}/claims/flag/",
        method="post",
        data={"text": ""},
        **{**answerers(302), "member": 400},
    ),
    page(
        "learning:claim_flag",
        "/a/{other}/claims/flag/",
        method="post",
        data={"text": ""},
        **{**organiser_only(403), "other_staff": 403},  # the other assembly is not learning yet
    ),
    # --- members' pages ------------------------------------------------------
    page("learning:my_evidence", M + "evidence/", **member_only(200)),
    page("learning:my_evidence", "/a/{other}/me/learning/evidence/", **member_only(403)),
    page(
        "learning:rate",
        M + "evidence/{learning_contribution_id}/rate/",
        method="post",
        data={},
        **member_only(400),
    ),
    page(
        "learning:request_speaker",
        M + "evidence/request-speaker/",
        method="post",
        data={"who": ""},
        **member_only(400),
    ),
    page("learning:my_questions", M + "questions/", **member_only(200)),
    page(
        "learning:ask", M + "questions/ask/", method="post", data={"text": ""}, **member_only(400)
    ),
    page(
        "learning:vote_question",
        M + "questions/{learning_question_id}/vote/",
        method="post",
        **member_only(302),
    ),
    page("learning:my_claims", M + "claims/", **member_only(200)),
    page(
        "learning:vote_criteria",
        M + "claims/criteria/",
        method="post",
        data={"criteria": []},
        **member_only(302),
    ),
    # --- public --------------------------------------------------------------
    page("learning:public_claims", "/a/{demo}/claims/", **everyone(200)),
    page("learning:public_claims", "/a/{other}/claims/", **{**everyone(404), "other_staff": 200}),
]


@placeholder("learning_speaker_id")
def _learning_speaker_id():
    from minipublic.web.learning.models import Speaker

    return Speaker.objects.filter(assembly__slug="aberwen-climate").order_by("pk").first().pk


@placeholder("learning_other_speaker_id")
def _learning_other_speaker_id():
    from minipublic.web.learning.models import Speaker

    return Speaker.objects.filter(assembly__slug="riverside-transport").order_by("pk").first().pk


PAGES += [
    page(
        "learning:speaker_edit",
        S + "evidence/speakers/{learning_speaker_id}/",
        **organiser_only(200),
    ),
    page(
        "learning:speaker_edit",
        S + "evidence/speakers/{learning_speaker_id}/",
        method="post",
        data={"name": "", "kind": "expert"},
        **organiser_only(200),  # the form again, with its errors
    ),
    page(
        "learning:speaker_edit",
        S + "evidence/speakers/{learning_other_speaker_id}/",
        **organiser_only(404),
    ),
    page(
        "learning:contribution_edit",
        S + "evidence/{learning_contribution_id}/",
        **organiser_only(200),
    ),
]

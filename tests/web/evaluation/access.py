"""Access rows of the ``evaluation`` app (read by tests/web/test_page_access.py)."""

from ..page_access import WHO, everyone, page, placeholder


def _who(default: int, **kw: int) -> dict[str, int]:
    return {**dict.fromkeys(WHO, default), **kw}


# Before publication: the evaluator, and the organisers (aggregate numbers only).
EVAL_AND_ORGANISER = _who(403, anonymous=302, evaluator=200, organiser=200)
EVALUATOR = _who(403, anonymous=302, evaluator=200)
EVALUATOR_POST = _who(403, anonymous=302, evaluator=302)
MEMBER_ONLY = _who(403, anonymous=302, member=200)


@placeholder("eval_analysis_id")
def _eval_analysis_id():
    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.evaluation.models import Analysis

    assembly = Assembly.objects.get(slug="aberwen-climate")
    row = Analysis.objects.create(
        assembly=assembly,
        data_version="test",
        status="done",
        plots={"forest_T1": "<svg xmlns='http://www.w3.org/2000/svg'/>"},
    )
    return row.pk


def _megan():
    from minipublic.web.people.models import Participant

    return Participant.objects.get(
        assembly__slug="aberwen-climate", personal_details__first_name="Megan"
    )


@placeholder("eval_megan_response_id")
def _eval_megan_response_id():
    from minipublic.web.evaluation.models import Response

    return Response.objects.get(participant=_megan(), wave__code="T1").pk


@placeholder("eval_megan_token")
def _eval_megan_token():
    from minipublic.web.evaluation.actions import survey_token
    from minipublic.web.evaluation.models import Wave

    wave = Wave.objects.get(assembly__slug="aberwen-climate", code="T2")
    return survey_token(wave, _megan())


@placeholder("eval_public_token")
def _eval_public_token():
    from minipublic.web.evaluation.models import Wave

    return Wave.objects.get(assembly__slug="aberwen-climate", code="P").public_token


PAGES = [
    page("evaluation:dashboard", "/a/{demo}/evaluation/", **EVAL_AND_ORGANISER),
    page(
        "evaluation:dashboard",
        "/a/{other}/evaluation/",
        **_who(403, anonymous=302, other_staff=200),
    ),
    page(
        "evaluation:start_analysis",
        "/a/{demo}/evaluation/analyse/",
        method="post",
        **EVALUATOR_POST,
    ),
    page("evaluation:start_analysis", "/a/{demo}/evaluation/analyse/", **everyone(405)),
    page(
        "evaluation:plot",
        "/a/{demo}/evaluation/plots/{eval_analysis_id}/forest_T1.svg",
        **EVAL_AND_ORGANISER,
    ),
    page(
        "evaluation:plot",
        "/a/{other}/evaluation/plots/{eval_analysis_id}/forest_T1.svg",
        **_who(403, anonymous=302, other_staff=404),
    ),
    page("evaluation:export_responses", "/a/{demo}/evaluation/export/responses.csv", **EVALUATOR),
    page("evaluation:export_scales", "/a/{demo}/evaluation/export/scales.csv", **EVALUATOR),
    page(
        "evaluation:publish",
        "/a/{demo}/evaluation/publish/",
        method="post",
        data={"publish": "1"},
        **EVALUATOR_POST,
    ),
    page("evaluation:waves", "/a/{demo}/evaluation/waves/", **EVAL_AND_ORGANISER),
    page(
        "evaluation:apply_template",
        "/a/{demo}/evaluation/waves/template/",
        method="post",
        **EVALUATOR_POST,
    ),
    page("evaluation:wave_edit", "/a/{demo}/evaluation/waves/T1/", **EVALUATOR),
    page(
        "evaluation:wave_status",
        "/a/{demo}/evaluation/waves/T1/status/",
        method="post",
        data={"status": "open"},
        **EVALUATOR_POST,
    ),
    page(
        "evaluation:send_messages",
        "/a/{demo}/evaluation/waves/T2/send/",
        method="post",
        **EVALUATOR_POST,
    ),
    page("evaluation:items", "/a/{demo}/evaluation/questions/", **EVALUATOR),
    page(
        "evaluation:import_public",
        "/a/{demo}/evaluation/public/import/",
        method="post",
        **EVALUATOR_POST,
    ),
    page("evaluation:report", "/a/{demo}/evaluation/report/", **EVAL_AND_ORGANISER),
    page("evaluation:report_pdf", "/a/{demo}/evaluation/report.pdf", **EVAL_AND_ORGANISER),
    page(
        "evaluation:member_survey",
        "/a/{demo}/survey/wave/T2/",
        **_who(403, anonymous=302, member=302),
    ),
    page("evaluation:survey_link", "/a/{demo}/survey/link/{eval_megan_token}/", **everyone(302)),
    page("evaluation:survey_link", "/a/{demo}/survey/link/not-a-token/", **everyone(400)),
    page(
        "evaluation:public_survey", "/a/{demo}/survey/public/{eval_public_token}/", **everyone(200)
    ),
    page("evaluation:public_survey", "/a/{demo}/survey/public/wrong/", **everyone(404)),
    page(
        "evaluation:answer",
        "/a/{demo}/survey/answer/{eval_megan_response_id}/",
        **_who(403, member=200),
    ),
    page("evaluation:my_answers", "/a/{demo}/survey/mine/", **MEMBER_ONLY),
    page(
        "evaluation:withdraw",
        "/a/{demo}/survey/mine/{eval_megan_response_id}/withdraw/",
        method="post",
        **_who(403, anonymous=302, member=302),
    ),
]

"""Access rows of the ``privacy`` app: organisers only (personal data)."""

from ..page_access import organiser_only, page, placeholder


@placeholder("some_pseudonym")
def _some_pseudonym():
    from minipublic.web.people.models import Participant

    return (
        Participant.objects.filter(assembly__slug="aberwen-climate")
        .order_by("pk")
        .first()
        .pseudonym
    )


_other = {**organiser_only(403), "other_staff": 403}

PAGES = [
    page("privacy:overview", "/a/{demo}/data-protection/", **organiser_only(200)),
    page(
        "privacy:overview",
        "/a/{other}/data-protection/",
        **{**organiser_only(403), "other_staff": 200},
    ),
    page("privacy:person", "/a/{demo}/data-protection/{some_pseudonym}/", **organiser_only(200)),
    page("privacy:person", "/a/{demo}/data-protection/P-NOPE00/", **organiser_only(404)),
    page(
        "privacy:person",
        "/a/{other}/data-protection/{some_pseudonym}/",
        **{**_other, "other_staff": 404},
    ),
    page(
        "privacy:person_json",
        "/a/{demo}/data-protection/{some_pseudonym}/data.json",
        **organiser_only(200),
    ),
    page(
        "privacy:erase",
        "/a/{demo}/data-protection/{some_pseudonym}/erase/",
        method="post",
        **organiser_only(400),
    ),
]

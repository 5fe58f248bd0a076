"""Access rows of the recruitment pages added for issue #13 (see tests/web/page_access.py)."""

from ..page_access import everyone, organiser_only, page

PAGES = [
    page(
        "recruitment:post_csv",
        "/a/{demo}/recruitment/letters-to-post.csv",
        **organiser_only(200),
    ),
    # Issue #14: a private assembly's registration pages are 404 for everyone, as
    # its public page is (its title and question must not show through them).
    page("recruitment:register", "/a/{other}/register/", **everyone(404)),
    page("recruitment:register_code", "/a/{other}/register/ABCD-EFGH/", **everyone(404)),
    page("recruitment:open_link", "/a/{other}/join/any-token/", **everyone(404)),
    page("recruitment:registered", "/a/{other}/register/done/", **everyone(404)),
    # Retrying a stuck invitation lottery: organisers, while inviting (the demo is
    # in the learn phase, so refused for all).
    page(
        "recruitment:retry_lottery",
        "/a/{demo}/recruitment/addresses/{recruitment_file_id}/lottery/retry/",
        method="post",
        **organiser_only(403),
    ),
]

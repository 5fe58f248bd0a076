"""Access rows of the recruitment pages added for issue #13 (see tests/web/page_access.py)."""

from ..page_access import organiser_only, page

PAGES = [
    page(
        "recruitment:post_csv",
        "/a/{demo}/recruitment/letters-to-post.csv",
        **organiser_only(200),
    ),
]

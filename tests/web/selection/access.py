"""Access rows of selection pages added for issues #13 and #14 (see tests/web/page_access.py).

Both issues' rows live here: add to the list, do not replace the file.
"""

from ..page_access import everyone, organiser_only, page, placeholder


@placeholder("seat_link")
def _seat_link():
    """The signed value of a personal "accept or decline your seat" link (issue #13)."""
    from minipublic.web.selection.actions import seat_response_path
    from minipublic.web.selection.models import PanelMember

    seat = (
        PanelMember.objects.filter(
            run__assembly__slug="aberwen-climate", active=True, registrant__status="invited"
        )
        .select_related("run__assembly")
        .order_by("pk")
        .first()
    )
    return seat_response_path(seat).rstrip("/").rsplit("/", 1)[1]


PAGES = [
    # Issue #13: the selected person's own link to accept or decline their seat.
    page("selection:seat", "/a/{demo}/seat/{seat_link}/", **everyone(200)),
    page("selection:seat", "/a/{demo}/seat/not-a-link/", **everyone(404)),
    page("selection:seat", "/a/{other}/seat/{seat_link}/", **everyone(404)),
    page("selection:seat", "/a/{demo}/seat/{seat_link}/", method="post", **everyone(400)),
    # Issue #14: committing a run for the draw (and withdrawing it): the organiser
    # only, in the select phase. The demo is in the learn phase: refused for all.
    page(
        "selection:commit",
        "/a/{demo}/selection/runs/{selection_run_id}/commit/",
        method="post",
        **organiser_only(403),
    ),
    page(
        "selection:withdraw",
        "/a/{demo}/selection/commitment/withdraw/",
        method="post",
        **organiser_only(403),
    ),
]

"""Access rows of the selection pages added for issue #13 (see tests/web/page_access.py)."""

from ..page_access import everyone, page, placeholder


@placeholder("seat_link")
def _seat_link():
    """The signed value of a personal "accept or decline your seat" link."""
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
    page("selection:seat", "/a/{demo}/seat/{seat_link}/", **everyone(200)),
    page("selection:seat", "/a/{demo}/seat/not-a-link/", **everyone(404)),
    page("selection:seat", "/a/{other}/seat/{seat_link}/", **everyone(404)),
    page("selection:seat", "/a/{demo}/seat/{seat_link}/", method="post", **everyone(400)),
]

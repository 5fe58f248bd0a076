"""Permission rows of the ``people`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import always

RULES = {
    ("member", "view", "member_home"): always,
    ("organiser", "view", "members"): always,
    ("organiser", "add", "member"): always,
    ("organiser", "send", "sign_in_links"): always,
}

"""Permission rows of the ``privacy`` app (see :mod:`minipublic.web.permissions`).

Only organisers see what is held about a person, erase a person, or set the
retention date: these pages show personal data.
"""

from minipublic.web.permissions import always

RULES = {
    ("organiser", "view", "personal_data"): always,
    ("organiser", "erase", "person"): always,
    ("organiser", "set", "retention"): always,
}

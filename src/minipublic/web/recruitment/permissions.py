"""Permission rows of the ``recruitment`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import always

RULES = {
    ("organiser", "view", "recruitment"): always,
    ("organiser", "change", "registration_settings"): always,
    ("organiser", "upload", "address_file"): always,
    ("organiser", "change", "area_weights"): always,
    ("organiser", "run", "invitation_lottery"): always,
    ("organiser", "download", "letters"): always,
    ("organiser", "view", "door_knocking"): always,
    ("organiser", "import", "pool"): always,
    ("organiser", "view", "registrants"): always,
    ("organiser", "view", "support_board"): always,
    ("organiser", "change", "support_arrangement"): always,
    ("anyone", "register", "registrant"): always,
}

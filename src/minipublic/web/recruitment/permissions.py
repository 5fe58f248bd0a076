"""Permission rows of the ``recruitment`` app (see :mod:`minipublic.web.permissions`)."""

from minipublic.web.permissions import Context, always, in_phase


def is_public(ctx: Context) -> bool:
    """The assembly is listed publicly."""
    return bool(ctx.assembly and ctx.assembly.is_public)


# Inviting (addresses, the invitation lottery, letters, door knocking) goes on
# while people register; the pool can be imported until the selection.
INVITING = in_phase("invite", "register")

RULES = {
    ("organiser", "view", "recruitment"): always,
    ("organiser", "change", "registration_settings"): always,
    ("organiser", "upload", "address_file"): INVITING,
    ("organiser", "change", "area_weights"): INVITING,
    ("organiser", "run", "invitation_lottery"): INVITING,
    ("organiser", "make", "letters"): INVITING,
    ("organiser", "download", "letters"): always,
    ("organiser", "view", "door_knocking"): always,
    ("organiser", "record", "door_knock"): INVITING,
    # Importing is refused by the action once the panel is drawn.
    ("organiser", "import", "pool"): always,
    ("organiser", "view", "registrants"): always,
    ("organiser", "view", "support_board"): always,
    ("organiser", "change", "support_arrangement"): always,
    # Registration pages are as public as the assembly: a private assembly's
    # title and question must not show through them (404, like its page).
    ("anyone", "register", "registrant"): is_public,
}

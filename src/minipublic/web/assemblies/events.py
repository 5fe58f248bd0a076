"""Plain-words names of the audit log's event types.

Every action writes an event type such as ``panel_member.responded``; the
audit log page shows the organiser the words below instead. An app with its
own event types adds its words with :func:`register_event_labels` (for
example from its ``apps.py`` ``ready()``); a type nobody named is shown with
its dots and underscores turned into spaces.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "account.created": _("Staff account created"),
    "account.password_set": _("Password set"),
    "address.door_knocked": _("Door-knocking visit recorded"),
    "address_file.uploaded": _("Address file uploaded"),
    "area_weights.changed": _("Area weights changed"),
    "assembly.created": _("Assembly created"),
    "assembly.phase_changed": _("Moved to the next phase"),
    "assembly.phase_reopened": _("Went back to an earlier phase"),
    "assembly.updated": _("Assembly details changed"),
    "draw.committed": _("Selection committed for the public draw"),
    "draw.withdrawn": _("Commitment for the draw withdrawn"),
    "invitation_lottery.failed": _("Invitation lottery failed"),
    "invitation_lottery.run": _("Invitation lottery run"),
    "letters.made": _("Invitation letters made"),
    "meeting.scheduled": _("Session added"),
    "panel.drawn": _("Panel drawn in public"),
    "panel.invited": _("Panel invited"),
    "panel_member.replaced": _("Replacement drawn for someone who declined"),
    "panel_member.responded": _("Answer to the invitation recorded"),
    "participant.added": _("Member added"),
    "participant.became_member": _("Became a member (accepted their seat)"),
    "participant.left": _("Left the members (declined or replaced)"),
    "participant.signed_in": _("Member signed in"),
    "phase_dates.changed": _("Phase dates changed"),
    "pool.imported": _("Pool file imported"),
    "quotas.saved": _("Quotas saved"),
    "registrant.registered": _("Someone registered"),
    "registrants.loaded": _("Registrants loaded"),
    "registrants.told_not_selected": _("People not selected were told"),
    "registration_settings.changed": _("Registration settings changed"),
    "role.granted": _("Role given"),
    "role.revoked": _("Role removed"),
    "selection.computed": _("Selection computed"),
    "selection.failed": _("Selection failed"),
    "selection.started": _("Selection started"),
    "sign_in_link.issued": _("Sign-in link sent"),
    "staff.invited": _("Staff member invited"),
    "support.updated": _("Support arrangement updated"),
    "task.started": _("Background task started"),
}

#: Words for the keys of the old/new values.
FIELD_LABELS = {
    "pseudonym": _("member number"),
    "status": _("status"),
    "phase": _("phase"),
    "from": _("from"),
    "to": _("to"),
    "reason": _("reason"),
    "count": _("how many"),
    "by_email": _("by email"),
    "by_letter": _("by letter"),
    "by": _("by"),
    "language": _("language"),
    "seed": _("seed"),
    "public_seed": _("public seed"),
    "index": _("panel number"),
    "panel": _("panel"),
    "invited": _("invited"),
    "title": _("title"),
    "starts_at": _("starts"),
    "place": _("place"),
    "role": _("role"),
    "email": _("email"),
    "expires_at": _("expires"),
    "selection_probability": _("chance of selection"),
}


def register_event_labels(labels: dict) -> None:
    """Add an app's ``event type -> words`` (lazy translations) to :data:`EVENT_LABELS`."""
    EVENT_LABELS.update(labels)


def event_label(event_type: str) -> str:
    """The words for *event_type* (see the module docstring)."""
    label = EVENT_LABELS.get(event_type)
    if label is not None:
        return str(label)
    return event_type.replace(".", ": ").replace("_", " ").capitalize()


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else str(key).replace("_", " ")


def plain_value(value, *, limit: int = 8) -> str:
    """A stored old/new value in words: lists joined (long ones counted), dicts as key: value."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        items = [plain_value(v, limit=limit) for v in value]
        if len(items) > limit:
            shown = ", ".join(items[:limit])
            return str(_("%(shown)s and %(n)s more")) % {"shown": shown, "n": len(items) - limit}
        return ", ".join(items) if items else "—"
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(k)}: {plain_value(v, limit=limit)}" for k, v in value.items()
        )
    return str(value)

"""Writing the audit log. Every ``do_*`` action calls :func:`record_event` once per change."""

from typing import Any

from django.db import models

from minipublic.web.assemblies.models import Assembly, AuditEvent


def actor_label_for(actor: Any) -> str:
    """Return how *actor* is shown in the log: a staff email, a member pseudonym or "system"."""
    if actor is None:
        return "system"
    if getattr(actor, "email", None):
        return actor.email
    return str(actor)


def record_event(
    event_type: str,
    obj: models.Model,
    *,
    actor: Any = None,
    assembly: Assembly | None = None,
    old: dict | None = None,
    new: dict | None = None,
) -> AuditEvent:
    """Append one line to the audit log.

    Parameters
    ----------
    event_type : str
        ``noun.past_tense``, e.g. ``"assembly.phase_changed"``, ``"role.granted"``.
    obj : Model
        The row that changed (its app label, model name, primary key and
        ``str`` are stored, so the line stays readable after a deletion).
    actor : User or Participant or None
        Who acted; ``None`` means the system (a task, the demo loader).
    assembly : Assembly, optional
        The assembly the change belongs to, so organisers can read it.
    old, new : dict, optional
        JSON-serialisable values before and after the change.

    Notes
    -----
    Call inside the action's ``transaction.atomic`` block so that the line is
    written if and only if the change is.
    """
    from django.contrib.auth import get_user_model

    user = actor if isinstance(actor, get_user_model()) else None
    return AuditEvent.objects.create(
        assembly=assembly,
        actor=user,
        actor_label=actor_label_for(actor)[:200],
        event_type=event_type,
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        old=old,
        new=new,
    )

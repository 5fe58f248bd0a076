"""Small helpers shared by the apps' views."""

from django.core.exceptions import ValidationError
from django.forms import Form


def run_action(form: Form, action, *args, **kwargs):
    """Call a ``check_*`` action; on :class:`ValidationError` put its messages on *form*.

    Returns ``(True, result)``, or ``(False, None)`` when the action refused:
    the form then carries the errors beside the fields they concern (errors
    about fields the form does not have are shown at the top of the form).
    """
    try:
        return True, action(*args, **kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False, None

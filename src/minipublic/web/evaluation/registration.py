"""The baseline survey (wave T0) on the registration form.

``minipublic.web.recruitment.forms.baseline_questions`` calls
:func:`baseline_fields`; the registration view stores the answers in the
registrant's ``extra`` answers (keys ``baseline_<item>``), and
:func:`minipublic.web.evaluation.actions.do_record_baseline` turns them into the
participant's T0 :class:`~minipublic.web.evaluation.models.Response` (a signal
on new registrants calls it; :func:`~minipublic.web.evaluation.actions.do_collect_baselines`
catches any registrant it missed, e.g. imported ones). So every registrant who
is not selected becomes a comparison volunteer with a baseline.
"""

from minipublic.web.evaluation.items import catalogue, form_field
from minipublic.web.evaluation.models import Wave, WaveCode, WaveStatus

PREFIX = "baseline_"


def baseline_wave(assembly) -> Wave | None:
    """The T0 wave when it is open (or not yet opened: registration opens it)."""
    return (
        Wave.objects.filter(assembly=assembly, code=WaveCode.T0)
        .exclude(status=WaveStatus.CLOSED)
        .first()
    )


def baseline_fields(assembly) -> list:
    """Form fields named ``baseline_<item>`` for the T0 wave's items (none without a T0 wave)."""
    wave = baseline_wave(assembly)
    if wave is None:
        return []
    specs = catalogue(assembly)
    fields = []
    for code in wave.items:
        spec = specs.get(code)
        if spec is None:
            continue
        field = form_field(spec)
        field.name = PREFIX + code
        fields.append(field)
    return fields


def baseline_answers(extra: dict) -> dict:
    """``{item: answer}`` from a registrant's ``extra`` answers."""
    return {k[len(PREFIX) :]: v for k, v in (extra or {}).items() if k.startswith(PREFIX)}

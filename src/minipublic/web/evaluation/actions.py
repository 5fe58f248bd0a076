"""State changes of the ``evaluation`` app: waves, items, answers, reminders, analyses, publication.

Every change goes through a ``do_*`` function here (one transaction, one audit
line); ``check_*`` functions validate first. Audit lines carry pseudonyms and
counts, never answers or personal details.
"""

import csv
import datetime as dt
import io
import re

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.assemblies.audit import record_event
from minipublic.web.evaluation.items import bank_items, catalogue, clean_value, template_codes
from minipublic.web.evaluation.models import (
    Analysis,
    EvaluationSettings,
    Item,
    ItemKind,
    Response,
    Wave,
    WaveCode,
    WaveMessage,
    WaveStatus,
)
from minipublic.web.evaluation.registration import baseline_answers
from minipublic.web.notify import absolute_url, send_on_commit

SURVEY_SALT = "minipublic.evaluation.survey"
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def evaluation_settings(assembly) -> EvaluationSettings:
    obj, _created = EvaluationSettings.objects.get_or_create(assembly=assembly)
    return obj


# --- waves and items ----------------------------------------------------------------


def check_save_wave(
    assembly,
    code: str,
    *,
    items: list[str],
    randomise_items: bool = False,
    per_page: int = 5,
    opens_at=None,
    closes_at=None,
    reminder_days=(),
    acting_user=None,
) -> Wave:
    """Validate a wave's settings, then create or update it (see :func:`do_save_wave`)."""
    errors = {}
    if code not in WaveCode.values:
        errors["code"] = [_("Choose T0, T1, T2 or the public sample.")]
    known = catalogue(assembly)
    unknown = [c for c in items if c not in known]
    if unknown:
        errors["items"] = [_("Unknown questions: %(codes)s") % {"codes": ", ".join(unknown)}]
    if not items:
        errors["items"] = [_("Choose at least one question.")]
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = [_("The closing date must be after the opening date.")]
    days = list(reminder_days)
    if any(d <= 0 for d in days) or days != sorted(set(days)):
        errors["reminder_days"] = [_("Give whole numbers of days, increasing, e.g. 3, 7.")]
    if not 1 <= per_page <= 20:
        errors["per_page"] = [_("Between 1 and 20 questions per page.")]
    if errors:
        raise ValidationError(errors)
    return do_save_wave(
        assembly,
        code,
        items=items,
        randomise_items=randomise_items,
        per_page=per_page,
        opens_at=opens_at,
        closes_at=closes_at,
        reminder_days=days,
        acting_user=acting_user,
    )


@transaction.atomic
def do_save_wave(
    assembly,
    code,
    *,
    items,
    randomise_items=False,
    per_page=5,
    opens_at=None,
    closes_at=None,
    reminder_days=(),
    acting_user=None,
) -> Wave:
    wave, created = Wave.objects.get_or_create(assembly=assembly, code=code)
    old = (
        {"items": len(wave.items), "randomise_items": wave.randomise_items} if not created else None
    )
    wave.items = list(dict.fromkeys(items))
    wave.randomise_items = randomise_items
    wave.per_page = per_page
    wave.opens_at = opens_at
    wave.closes_at = closes_at
    wave.reminder_days = list(reminder_days)
    wave.save()
    record_event(
        "wave.created" if created else "wave.updated",
        wave,
        actor=acting_user,
        assembly=assembly,
        old=old,
        new={
            "code": code,
            "items": len(wave.items),
            "randomise_items": randomise_items,
            "reminder_days": list(reminder_days),
        },
    )
    return wave


@transaction.atomic
def do_apply_template(assembly, *, acting_user=None) -> list[Wave]:
    """Create T0, T1 and T2 from the ready-made template (cohesion scales + OECD-structured items)."""
    waves = []
    for code, days in (("T0", []), ("T1", [3, 7]), ("T2", [7, 14])):
        if not Wave.objects.filter(assembly=assembly, code=code).exists():
            waves.append(
                do_save_wave(
                    assembly,
                    code,
                    items=template_codes(code),
                    reminder_days=days,
                    acting_user=acting_user,
                )
            )
    return waves


def check_set_wave_status(wave: Wave, status: str, *, acting_user=None) -> Wave:
    if status not in WaveStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status == WaveStatus.OPEN and not wave.items:
        raise ValidationError(_("Choose the questions before opening the wave."))
    return do_set_wave_status(wave, status, acting_user=acting_user)


@transaction.atomic
def do_set_wave_status(wave: Wave, status: str, *, acting_user=None) -> Wave:
    old = wave.status
    if old == status:
        return wave
    wave.status = status
    if status == WaveStatus.OPEN and wave.opens_at is None:
        wave.opens_at = timezone.now()
    if status == WaveStatus.CLOSED and (wave.closes_at is None or wave.closes_at > timezone.now()):
        wave.closes_at = timezone.now()
    wave.save(update_fields=["status", "opens_at", "closes_at"])
    record_event(
        "wave.status_changed",
        wave,
        actor=acting_user,
        assembly=wave.assembly,
        old={"status": old},
        new={"status": status},
    )
    return wave


def check_add_item(
    assembly,
    *,
    code,
    kind,
    text_en,
    text_cy,
    choices_text="",
    randomise_choices=False,
    acting_user=None,
) -> Item:
    """Validate an own question. *choices_text*: one answer a line, ``English | Welsh``."""
    errors = {}
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        errors["code"] = [_("Use 2–40 lower-case letters, digits or _, starting with a letter.")]
    elif code in bank_items() or code.startswith("oecd_") or code == "reason_no_point":
        errors["code"] = [_("This name is taken by a ready-made question.")]
    elif Item.objects.filter(assembly=assembly, code=code).exists():
        errors["code"] = [_("You already have a question with this name.")]
    if kind not in ItemKind.values:
        errors["kind"] = [_("Choose a kind of question.")]
    if not (text_en or "").strip():
        errors["text_en"] = [_("Write the question in English.")]
    if not (text_cy or "").strip():
        errors["text_cy"] = [_("Write the question in Welsh.")]
    choices = []
    if kind in (ItemKind.SINGLE, ItemKind.MULTIPLE):
        for i, line in enumerate(t for t in (choices_text or "").splitlines() if t.strip()):
            en, _sep, cy = line.partition("|")
            if not en.strip() or not cy.strip():
                errors["choices_text"] = [
                    _("Line %(n)d: write the answer as “English | Welsh”.") % {"n": i + 1}
                ]
                break
            choices.append({"value": str(i + 1), "en": en.strip(), "cy": cy.strip()})
        if len(choices) < 2 and "choices_text" not in errors:
            errors["choices_text"] = [_("Give at least two answers, one a line.")]
    if errors:
        raise ValidationError(errors)
    return do_add_item(
        assembly,
        code=code,
        kind=kind,
        text_en=text_en.strip(),
        text_cy=text_cy.strip(),
        choices=choices,
        randomise_choices=randomise_choices,
        acting_user=acting_user,
    )


@transaction.atomic
def do_add_item(
    assembly, *, code, kind, text_en, text_cy, choices=(), randomise_choices=False, acting_user=None
) -> Item:
    item = Item.objects.create(
        assembly=assembly,
        code=code,
        kind=kind,
        text_en=text_en,
        text_cy=text_cy,
        choices=list(choices),
        randomise_choices=randomise_choices,
    )
    record_event(
        "survey_item.created",
        item,
        actor=acting_user,
        assembly=assembly,
        new={"code": code, "kind": kind},
    )
    return item


# --- answering ----------------------------------------------------------------------


def survey_token(wave: Wave, participant) -> str:
    """The personal survey link's token for *participant* and *wave* (works for comparison volunteers too)."""
    return signing.dumps({"w": wave.pk, "p": participant.pk}, salt=SURVEY_SALT, compress=True)


def survey_link(wave: Wave, participant) -> str:
    return absolute_url(
        reverse(
            "evaluation:survey_link", args=[wave.assembly.slug, survey_token(wave, participant)]
        )
    )


def read_survey_token(token: str) -> tuple[int, int] | None:
    try:
        data = signing.loads(token, salt=SURVEY_SALT)
        return int(data["w"]), int(data["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@transaction.atomic
def do_start_response(
    wave: Wave, participant, *, language="en", source=Response.Source.SURVEY
) -> Response:
    """The participant's response to *wave*, created (with a fresh seed) on first use."""
    response, created = Response.objects.get_or_create(
        wave=wave, participant=participant, defaults={"language": language, "source": source}
    )
    if created:
        record_event(
            "response.started",
            response,
            actor=participant,
            assembly=wave.assembly,
            new={"wave": wave.code, "seed": response.seed},
        )
    return response


@transaction.atomic
def do_start_public_response(wave: Wave, *, language="en") -> Response:
    response = Response.objects.create(
        wave=wave, language=language, source=Response.Source.PUBLIC_LINK
    )
    record_event(
        "response.started",
        response,
        actor=None,
        assembly=wave.assembly,
        new={"wave": wave.code, "seed": response.seed},
    )
    return response


def check_save_answers(
    response: Response, answers: dict, *, page: int, submit: bool = False, actor=None
) -> Response:
    """Validate one page of answers against the wave's items, then save them."""
    if response.withdrawn_at is not None:
        raise ValidationError(_("These answers were withdrawn."))
    if response.submitted_at is not None:
        raise ValidationError(_("These answers were already sent."))
    if not response.wave.is_open:
        raise ValidationError(_("This survey is closed."))
    specs = catalogue(response.wave.assembly)
    clean = {}
    for code, value in answers.items():
        spec = specs.get(code)
        if spec is None or code not in response.wave.items:
            raise ValidationError({code: [_("Unknown question.")]})
        value = clean_value(spec, value)
        if value is not None and spec.kind != "text":
            allowed = {str(v) for v, _en, _cy in spec.choices}
            given = value if isinstance(value, list) else [value]
            if any(str(v) not in allowed for v in given):
                raise ValidationError({code: [_("Choose one of the answers shown.")]})
        clean[code] = value
    return do_save_answers(response, clean, page=page, submit=submit, actor=actor)


@transaction.atomic
def do_save_answers(
    response: Response, answers: dict, *, page: int, submit=False, actor=None
) -> Response:
    response = Response.objects.select_for_update().get(pk=response.pk)
    response.answers = {**response.answers, **answers}
    response.page = max(response.page, page)
    fields = ["answers", "page", "updated_at"]
    if submit:
        response.submitted_at = timezone.now()
        fields.append("submitted_at")
    response.save(update_fields=fields)
    record_event(
        "response.submitted" if submit else "response.saved",
        response,
        actor=actor,
        assembly=response.wave.assembly,
        new={
            "wave": response.wave.code,
            "page": page,
            "answered": sum(v is not None for v in response.answers.values()),
        },
    )
    return response


@transaction.atomic
def do_withdraw_response(response: Response, *, actor=None) -> Response:
    """Delete the answers (keep the row, so reminders stop and counts stay honest)."""
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.withdrawn_at is not None:
        return response
    response.answers = {}
    response.withdrawn_at = timezone.now()
    response.save(update_fields=["answers", "withdrawn_at", "updated_at"])
    record_event(
        "response.withdrawn",
        response,
        actor=actor,
        assembly=response.wave.assembly,
        new={"wave": response.wave.code},
    )
    return response


# --- the baseline at registration ---------------------------------------------------


@transaction.atomic
def do_record_baseline(registrant) -> Response | None:
    """Move a registrant's ``baseline_*`` registration answers into their T0 response (once).

    The answers are taken out of ``Registrant.extra`` (which feeds the pool's
    features for quotas), so they live in one place: the survey answers.
    """
    from minipublic.web.recruitment.models import Registrant

    answers = baseline_answers(registrant.extra)
    wave = Wave.objects.filter(assembly=registrant.assembly, code=WaveCode.T0).first()
    if wave is None or not answers:
        return None
    rest = {k: v for k, v in registrant.extra.items() if not k.startswith("baseline_")}
    Registrant.objects.filter(pk=registrant.pk).update(extra=rest)
    registrant.extra = rest
    if Response.objects.filter(wave=wave, participant=registrant.participant).exists():
        return None
    specs = catalogue(registrant.assembly)
    clean = {c: clean_value(specs[c], v) for c, v in answers.items() if c in specs}
    response = Response.objects.create(
        wave=wave,
        participant=registrant.participant,
        source=Response.Source.REGISTRATION,
        answers=clean,
        language=registrant.language,
        submitted_at=registrant.registered_at,
        page=1,
    )
    record_event(
        "response.submitted",
        response,
        actor=None,
        assembly=registrant.assembly,
        new={"wave": "T0", "source": "registration"},
    )
    return response


def do_collect_baselines(assembly) -> int:
    """Record the baseline of every registrant who has one but no T0 response yet; returns how many."""
    from minipublic.web.recruitment.models import Registrant

    done = Response.objects.filter(wave__assembly=assembly, wave__code=WaveCode.T0).values(
        "participant_id"
    )
    n = 0
    for registrant in Registrant.objects.filter(assembly=assembly).exclude(participant_id__in=done):
        if baseline_answers(registrant.extra) and do_record_baseline(registrant) is not None:
            n += 1
    return n


@transaction.atomic
def do_import_responses(wave: Wave, rows, *, source, acting_user=None) -> int:
    """Store many complete responses at once (demo data, imported panel data): one audit line.

    *rows* are ``(participant or None, answers, submitted_at, language)``.
    """
    objs = [
        Response(
            wave=wave,
            participant=p,
            answers=a,
            submitted_at=t,
            language=lang,
            source=source,
            page=1,
        )
        for p, a, t, lang in rows
    ]
    Response.objects.bulk_create(objs, batch_size=1000)
    record_event(
        "responses.imported",
        wave,
        actor=acting_user,
        assembly=wave.assembly,
        new={"wave": wave.code, "rows": len(objs), "source": source},
    )
    return len(objs)


def check_import_public_panel(
    wave: Wave, text: str, *, file_name="panel.csv", acting_user=None
) -> int:
    """Validate a panel-data CSV (one row per respondent, one column per item code) and import it.

    Columns that are not item codes of the public wave are refused (so no
    names or contacts can come in); every answer must be one of the item's
    answer values (an empty cell is a missing answer).
    """
    if not wave.is_public:
        raise ValidationError(_("Panel data can be imported into the public comparison wave only."))
    specs = catalogue(wave.assembly)
    reader = csv.reader(io.StringIO(text))
    try:
        table = list(reader)
    except csv.Error:
        # e.g. a carriage return inside an unquoted cell.
        raise ValidationError(
            {
                "file": [
                    _("%(file)s, row %(row)d: this row cannot be read as CSV.")
                    % {"file": file_name, "row": reader.line_num}
                ]
            }
        ) from None
    if not table:
        raise ValidationError({"file": [_("%(file)s is empty.") % {"file": file_name}]})
    header = [h.strip() for h in table[0]]
    reader = iter(table[1:])
    for j, h in enumerate(header):
        if h not in wave.items or specs[h].kind in ("text", "multiple"):
            raise ValidationError(
                {
                    "file": [
                        _(
                            "%(file)s, row 1, column %(col)d: “%(name)s” is not a question of the public wave."
                        )
                        % {"file": file_name, "col": j + 1, "name": h}
                    ]
                }
            )
    rows = []
    for i, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        if len(raw) != len(header):
            raise ValidationError(
                {
                    "file": [
                        _("%(file)s, row %(row)d: expected %(n)d cells.")
                        % {"file": file_name, "row": i, "n": len(header)}
                    ]
                }
            )
        answers = {}
        for h, cell in zip(header, raw, strict=True):
            cell = cell.strip()
            if not cell:
                answers[h] = None
                continue
            allowed = {str(v) for v, _en, _cy in specs[h].choices}
            if cell not in allowed:
                raise ValidationError(
                    {
                        "file": [
                            _(
                                "%(file)s, row %(row)d, column “%(col)s”: “%(value)s” is not an allowed answer."
                            )
                            % {"file": file_name, "row": i, "col": h, "value": cell[:20]}
                        ]
                    }
                )
            answers[h] = clean_value(specs[h], cell)
        rows.append((None, answers, timezone.now(), "en"))
    if not rows:
        raise ValidationError({"file": [_("%(file)s has no answers.") % {"file": file_name}]})
    return do_import_responses(wave, rows, source=Response.Source.IMPORT, acting_user=acting_user)


# --- invitations and reminders --------------------------------------------------------


def audience(wave: Wave) -> list:
    """Participants a wave is for: members and comparison volunteers (not the public sample)."""
    from minipublic.web.evaluation.data import arms_of
    from minipublic.web.people.models import Participant

    if wave.is_public:
        return []
    arms = arms_of(wave.assembly)
    ids = [pid for pid, (arm, _p) in arms.items() if arm in ("member", "comparison")]
    return list(Participant.objects.filter(pk__in=ids).select_related("personal_details"))


def due_number(wave: Wave, sent: int, now: dt.datetime) -> int | None:
    """The message number due now for someone who has had *sent* messages (None: nothing due).

    0 is the invitation (due once the wave is open and its opening time has
    come); reminder k (1, 2, ...) is due ``reminder_days[k-1]`` days after
    opening. Only the newest due message is sent, never an older one skipped.
    """
    if not wave.is_open or wave.opens_at is None or now < wave.opens_at:
        return None
    if wave.closes_at is not None and now >= wave.closes_at:
        return None
    due = 0
    for k, days in enumerate(wave.reminder_days, start=1):
        if now >= wave.opens_at + dt.timedelta(days=days):
            due = k
    return due if due >= sent else None


def do_send_due_messages(wave: Wave, *, now: dt.datetime | None = None, progress=None) -> int:
    """Email every invitation and reminder due now for *wave*; returns how many were sent.

    Idempotent: a :class:`WaveMessage` row (unique per wave, participant and
    number) is written in the same transaction as the email is queued, so a
    second run, or two runs at once, never send the same message twice.
    People who have sent their answers or withdrawn get nothing.
    """
    now = now or timezone.now()
    people = audience(wave)
    finished = set(
        Response.objects.filter(wave=wave, participant__isnull=False)
        .exclude(submitted_at__isnull=True, withdrawn_at__isnull=True)
        .values_list("participant_id", flat=True)
    )
    counts = {}
    for pid, number in WaveMessage.objects.filter(wave=wave).values_list(
        "participant_id", "number"
    ):
        counts[pid] = max(counts.get(pid, 0), number + 1)
    sent = 0
    for i, person in enumerate(people):
        if person.pk in finished:
            continue
        number = due_number(wave, counts.get(person.pk, 0), now)
        if number is None or number < counts.get(person.pk, 0):
            continue
        details = getattr(person, "personal_details", None)
        if details is None or not details.email:
            continue
        try:
            with transaction.atomic():
                WaveMessage.objects.create(wave=wave, participant=person, number=number)
                send_on_commit(
                    "evaluation/email/invitation" if number == 0 else "evaluation/email/reminder",
                    {
                        "assembly": wave.assembly,
                        "wave": wave,
                        "first_name": details.first_name,
                        "link": survey_link(wave, person),
                        "number": number,
                    },
                    to=[details.email],
                    language=details.preferred_language,
                )
        except IntegrityError:
            continue  # sent by a concurrent run
        sent += 1
        if progress is not None:
            progress((i + 1) / len(people), f"{sent} sent")
    with transaction.atomic():
        record_event(
            "wave.messages_sent",
            wave,
            actor=None,
            assembly=wave.assembly,
            new={"wave": wave.code, "sent": sent},
        )
    return sent


# --- analysis and publication -------------------------------------------------------


def do_start_analysis(assembly, *, acting_user=None, force=False):
    """Start the analysis of the current data (or return the cached one for this data version)."""
    from minipublic.web.evaluation.data import data_version
    from minipublic.web.evaluation.tasks import run_analysis
    from minipublic.web.progress.actions import do_start_task

    do_collect_baselines(assembly)
    version = data_version(assembly)
    with transaction.atomic():
        existing = Analysis.objects.filter(assembly=assembly, data_version=version).first()
        # A running analysis whose worker died (its task is stale) counts as failed.
        stuck = (
            existing is not None
            and existing.status == Analysis.Status.RUNNING
            and (existing.progress is None or existing.progress.has_failed)
        )
        failed = existing is not None and (existing.status == Analysis.Status.FAILED or stuck)
        if existing is not None and not force and not failed:
            return existing
        if existing is not None:
            existing.delete()
        analysis = Analysis.objects.create(
            assembly=assembly, data_version=version, started_by=acting_user
        )
        progress = do_start_task(
            run_analysis,
            kind="evaluation.analysis",
            title=_("Analysing the survey answers"),
            assembly=assembly,
            acting_user=acting_user,
            analysis_id=analysis.pk,
        )
        analysis.progress = progress
        analysis.save(update_fields=["progress"])
        record_event(
            "analysis.started",
            analysis,
            actor=acting_user,
            assembly=assembly,
            new={"data_version": version[:12]},
        )
    return analysis


@transaction.atomic
def do_store_analysis(analysis: Analysis, *, result=None, plots=None, error="") -> Analysis:
    analysis.result = result or {}
    analysis.plots = plots or {}
    analysis.error = error
    analysis.status = Analysis.Status.FAILED if error else Analysis.Status.DONE
    analysis.finished_at = timezone.now()
    analysis.save()
    record_event(
        "analysis.finished",
        analysis,
        actor=None,
        assembly=analysis.assembly,
        new={"status": analysis.status},
    )
    return analysis


@transaction.atomic
def do_set_published(assembly, published: bool, *, acting_user=None) -> EvaluationSettings:
    obj = evaluation_settings(assembly)
    old = obj.published_at is not None
    obj.published_at = timezone.now() if published else None
    obj.save(update_fields=["published_at"])
    record_event(
        "evaluation.published" if published else "evaluation.unpublished",
        obj,
        actor=acting_user,
        assembly=assembly,
        old={"published": old},
        new={"published": published},
    )
    return obj

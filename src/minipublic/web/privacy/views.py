"""Data-protection pages: retention date, what is held about a person (subject access), erasure."""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.people.models import Participant
from minipublic.web.permissions import require_permission
from minipublic.web.privacy import actions
from minipublic.web.privacy.forms import EraseForm, RetentionForm
from minipublic.web.privacy.models import Retention
from minipublic.web.shortcuts import run_action


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@require_permission("set", "retention")
def overview(request, slug):
    assembly = request.assembly
    retention = Retention.objects.filter(assembly=assembly).first()
    form = RetentionForm(
        request.POST or None,
        initial={"erase_personal_data_on": retention.erase_personal_data_on} if retention else None,
    )
    if request.method == "POST" and form.is_valid():
        ok, _r = run_action(
            form,
            actions.check_set_retention,
            assembly,
            acting_user=request.user,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("The retention date is saved."))
            return redirect("privacy:overview", slug=slug)
    query = request.GET.get("q", "").strip().upper()
    found = None
    if query:
        found = assembly.participants.filter(pseudonym=query).first()
        if found is not None:
            return redirect("privacy:person", slug=slug, pseudonym=found.pseudonym)
    return _no_store(
        render(
            request,
            "privacy/overview.html",
            {"assembly": assembly, "form": form, "retention": retention, "query": query},
            status=400 if form.errors else 200,
        )
    )


def _participant(request, pseudonym: str) -> Participant:
    return get_object_or_404(Participant, assembly=request.assembly, pseudonym=pseudonym)


@require_permission("view", "personal_data")
def person(request, slug, pseudonym):
    participant = _participant(request, pseudonym)
    return _no_store(
        render(
            request,
            "privacy/person.html",
            {
                "assembly": request.assembly,
                "person": participant,
                "held": actions.held_about(participant),
                "erased": actions.is_erased(participant),
                "form": EraseForm(),
            },
        )
    )


@require_permission("view", "personal_data")
def person_json(request, slug, pseudonym):
    participant = _participant(request, pseudonym)
    data = {
        "assembly": request.assembly.slug,
        "pseudonym": participant.pseudonym,
        "held": [{"kind": kind, "rows": rows} for kind, rows in actions.held_about(participant)],
    }
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{participant.pseudonym}.json"'
    return _no_store(response)


@require_POST
@require_permission("erase", "person")
def erase(request, slug, pseudonym):
    participant = _participant(request, pseudonym)
    form = EraseForm(request.POST)
    if form.is_valid():
        ok, _p = run_action(
            form,
            actions.check_erase_person,
            participant,
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
        if ok:
            messages.success(
                request,
                _(
                    "%(p)s is erased: name, contact details and address are gone; answers stay under the pseudonym."
                )
                % {"p": participant.pseudonym},
            )
            return redirect("privacy:person", slug=slug, pseudonym=pseudonym)
    return _no_store(
        render(
            request,
            "privacy/person.html",
            {
                "assembly": request.assembly,
                "person": participant,
                "held": actions.held_about(participant),
                "erased": actions.is_erased(participant),
                "form": form,
            },
            status=400,
        )
    )

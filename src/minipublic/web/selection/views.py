"""Pages of the ``selection`` app: quotas, runs, the draw, the panel, the public lottery page."""

import csv
import io
from collections import Counter

import pandas as pd
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.errors import MinipublicError
from minipublic.web.permissions import request_can, require_permission
from minipublic.web.selection import actions
from minipublic.web.selection.forms import (
    DrawForm,
    FeaturesForm,
    QuotaEditorForm,
    ReplaceForm,
    ResponseForm,
    SelectionRunForm,
    WithdrawCommitmentForm,
    new_seed,
)
from minipublic.web.selection.models import PanelMember, RunStatus, SelectionRun
from minipublic.web.selection.quotas import bounds_for, pool_table
from minipublic.web.shortcuts import run_action

# --- quota editor --------------------------------------------------------------


def _editor_state(assembly):
    """Pool table over every available feature, the quota set and its current lines."""
    people = actions.pool_people(assembly)
    features = actions.available_features(people)
    table = pool_table(people, features)
    quota_set = actions.quota_set_of(assembly)
    lines = actions.default_lines(table, quota_set.features, actions.lines_of(quota_set))
    return table, features, quota_set, lines


def _preview(table, lines, panel_size):
    """Rows for the table: line, pool count and share, min and max (None when invalid)."""
    n = max(len(table), 1)
    out = []
    for line in lines:
        count = int((table[line.feature] == line.value).sum()) if line.feature in table else 0
        try:
            lo, hi = bounds_for(line.share, line.tolerance, panel_size, direction=line.direction)
        except MinipublicError:
            lo = hi = None
        out.append(
            {"line": line, "count": count, "pool_share": 100 * count / n, "min": lo, "max": hi}
        )
    return out


def _feasibility(assembly, lines, panel_size):
    """The core's answer, or ``(None, message)`` when the rows themselves are wrong."""
    if not lines:
        return None, ""
    try:
        return actions.feasibility_of(assembly, lines, panel_size), ""
    except MinipublicError as exc:
        return None, str(exc)


def _quota_context(request, assembly, *, editor=None, features_form=None, check=True):
    table, features, quota_set, lines = _editor_state(assembly)
    if editor is None:
        editor = QuotaEditorForm(initial={"panel_size": quota_set.panel_size}, lines=lines)
    panel_size = quota_set.panel_size
    shown = lines
    if editor.is_bound and editor.is_valid():
        panel_size = editor.cleaned_data["panel_size"]
        shown = editor.cleaned_lines()
    feas, problem = _feasibility(assembly, shown, panel_size) if check else (None, "")
    if editor.is_bound and not editor.is_valid():
        problem = " ".join(
            f"{editor.fields[name].label}: {error}" if name in editor.fields else str(error)
            for name, errors in editor.errors.items()
            for error in errors
        )
    return {
        "assembly": assembly,
        "quota_set": quota_set,
        "n_pool": len(table),
        "features_form": features_form
        or FeaturesForm(
            initial={"features": quota_set.features, "panel_size": quota_set.panel_size},
            features=features,
        ),
        "editor": editor,
        "rows": list(zip(editor.rows(), _preview(table, shown, panel_size), strict=True)),
        "panel_size": panel_size,
        "feasibility": feas,
        "problem": problem,
    }


@require_permission("view", "quotas")
def quotas(request, slug):
    """The quota editor: target shares and tolerances in, min/max and feasibility out."""
    assembly = request.assembly
    if request.method == "POST":
        if not request_can(request, "edit", "quotas", assembly=assembly):
            raise PermissionDenied
        _t, _f, quota_set, lines = _editor_state(assembly)
        editor = QuotaEditorForm(request.POST, lines=lines)
        if editor.is_valid():
            ok, _result = run_action(
                editor,
                actions.check_save_quotas,
                quota_set,
                panel_size=editor.cleaned_data["panel_size"],
                lines=editor.cleaned_lines(),
                acting_user=request.user,
            )
            if ok:
                messages.success(request, _("Quotas saved."))
                return redirect("selection:quotas", slug=slug)
        context = _quota_context(request, assembly, editor=editor)
        return render(request, "selection/quotas.html", context, status=400)
    return render(request, "selection/quotas.html", _quota_context(request, assembly))


@require_POST
@require_permission("edit", "quotas")
def quota_features(request, slug):
    """Choose the features with quotas (new features start at the pool's own shares)."""
    assembly = request.assembly
    table, features, quota_set, _lines = _editor_state(assembly)
    form = FeaturesForm(request.POST, features=features)
    if form.is_valid():
        lines = actions.default_lines(
            table, form.cleaned_data["features"], actions.lines_of(quota_set)
        )
        ok, _result = run_action(
            form,
            actions.check_save_quotas,
            quota_set,
            panel_size=form.cleaned_data["panel_size"],
            lines=lines,
            acting_user=request.user,
        )
        if ok:
            return redirect("selection:quotas", slug=slug)
    context = _quota_context(request, assembly, features_form=form)
    return render(request, "selection/quotas.html", context, status=400)


@require_POST
@require_permission("edit", "quotas")
def quota_check(request, slug):
    """HTMX: the converted min/max and the feasibility of the rows as typed (nothing saved)."""
    assembly = request.assembly
    _t, _f, _qs, lines = _editor_state(assembly)
    editor = QuotaEditorForm(request.POST, lines=lines)
    context = _quota_context(request, assembly, editor=editor, check=editor.is_valid())
    return render(request, "selection/_quota_oob.html", context)


@require_POST
@require_permission("edit", "quotas")
def quota_relax(request, slug):
    """Apply the core's suggested relaxation to the rows as typed, and save them."""
    assembly = request.assembly
    _t, _f, quota_set, lines = _editor_state(assembly)
    editor = QuotaEditorForm(request.POST, lines=lines)
    if editor.is_valid():
        size = editor.cleaned_data["panel_size"]
        typed = editor.cleaned_lines()
        feas, problem = _feasibility(assembly, typed, size)
        if feas is not None and not feas.feasible and feas.changes:
            relaxed = actions.relaxed_lines(typed, feas, size)
            ok, _result = run_action(
                editor,
                actions.check_save_quotas,
                quota_set,
                panel_size=size,
                lines=relaxed,
                acting_user=request.user,
            )
            if ok:
                messages.success(
                    request,
                    _("Suggested relaxation applied and saved: %(changes)s")
                    % {"changes": "; ".join(c.describe() for c in feas.changes)},
                )
                return redirect("selection:quotas", slug=slug)
        else:
            editor.add_error(None, problem or _("There is no relaxation to apply."))
    context = _quota_context(request, assembly, editor=editor)
    return render(request, "selection/quotas.html", context, status=400)


# --- selection runs --------------------------------------------------------------


def _overview_context(assembly, form=None, *, show_estimate: bool = False):
    runs = list(SelectionRun.objects.filter(assembly=assembly).select_related("progress"))
    quota_set = actions.quota_set_of(assembly)
    return {
        "assembly": assembly,
        "runs": runs,
        "drawn": actions.drawn_run(assembly),
        "quota_set": quota_set,
        "n_rows": quota_set.rows.count(),
        "n_pool": actions.pool_registrants(assembly).count(),
        "form": form or SelectionRunForm(initial={"seed": new_seed()}),
        "estimate": actions.time_estimate(assembly) if show_estimate else None,
    }


@require_permission("view", "selection")
def overview(request, slug):
    """Runs so far and the form to start one."""
    assembly = request.assembly
    show = request_can(request, "run", "selection", assembly=assembly)
    context = _overview_context(assembly, show_estimate=show)
    return render(request, "selection/overview.html", context)


@require_POST
@require_permission("run", "selection")
def start_run(request, slug):
    assembly = request.assembly
    form = SelectionRunForm(request.POST)
    if form.is_valid():
        ok, run = run_action(
            form,
            actions.check_start_selection,
            assembly,
            algorithm=form.cleaned_data["algorithm"],
            seed=form.cleaned_data["seed"],
            m=form.cleaned_data["m"],
            time_limit=(
                form.cleaned_data["time_limit_minutes"] * 60
                if form.cleaned_data.get("time_limit_minutes")
                else None
            ),
            acting_user=request.user,
        )
        if ok:
            return redirect("selection:run", slug=slug, run_id=run.pk)
    context = _overview_context(assembly, form, show_estimate=True)
    return render(request, "selection/overview.html", context, status=400)


def _targets_table(run: SelectionRun, pool: pd.DataFrame):
    """Per quota: target, min/max, pool count, expected seats, drawn and current panel counts."""
    probs = pool["id"].map(run.probabilities).fillna(0.0) if len(pool) else pd.Series(dtype=float)
    drawn = set(run.panel)
    current = set(
        run.members.filter(active=True).values_list("registrant__participant__pseudonym", flat=True)
    )
    rows = []
    for q in run.quotas:
        mask = pool[q["feature"]] == q["value"] if q["feature"] in pool else pd.Series(dtype=bool)
        ids = set(pool.loc[mask, "id"]) if len(mask) else set()
        rows.append(
            {
                **q,
                "pool": len(ids),
                "expected": float(probs[mask].sum()) if len(mask) else 0.0,
                "drawn": len(ids & drawn) if run.panel else None,
                "current": len(ids & current) if run.panel else None,
                "ok": (q["min"] <= len(ids & current) <= q["max"]) if run.panel else None,
            }
        )
    return rows


@require_permission("view", "selection")
def run_detail(request, slug, run_id):
    """Progress while it runs; then the results, and the draw."""
    assembly = request.assembly
    run = get_object_or_404(SelectionRun, pk=run_id, assembly=assembly)
    context = {
        "assembly": assembly,
        "run": run,
        "progress": run.progress,
        "commitment": actions.commitment_in_force(assembly),
        "withdraw_form": WithdrawCommitmentForm(),
    }
    if run.status in (RunStatus.DONE, RunStatus.DRAWN):
        pool = pd.read_csv(io.StringIO(run.pool_csv), dtype=str, keep_default_na=False)
        probabilities = sorted(run.probabilities.items(), key=lambda kv: (kv[1], kv[0]))
        context.update(
            {
                "targets": _targets_table(run, pool),
                "histogram": actions.probability_histogram(run.probabilities.values()),
                "lowest": probabilities[:20],
                "highest": probabilities[-20:][::-1],
                "n_zero": sum(1 for _k, p in probabilities if p <= 1e-12),
                "draw_form": DrawForm(),
            }
        )
    return render(request, "selection/run.html", context)


@require_permission("view", "selection")
def probabilities_csv(request, slug, run_id):
    """Every registrant's selection probability in this run (pseudonyms), as CSV."""
    run = get_object_or_404(SelectionRun, pk=run_id, assembly=request.assembly)
    if run.status not in (RunStatus.DONE, RunStatus.DRAWN):
        raise Http404
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "probability", "lottery_probability", "zero_reason"])
    for pid, p in run.probabilities.items():
        writer.writerow(
            [pid, f"{p:.6f}", f"{run.realised.get(pid, 0.0):.6f}", run.zero_reasons.get(pid, "")]
        )
    response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="probabilities-run-{run.pk}.csv"'
    return response


@require_POST
@require_permission("commit", "draw")
def commit(request, slug, run_id):
    """Commit this run for the public draw: its fingerprint goes on the public page."""
    run = get_object_or_404(SelectionRun, pk=run_id, assembly=request.assembly)
    try:
        actions.check_commit_run(run, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Committed: the lottery's fingerprint is now on the public lottery page."),
        )
    return redirect(f"{reverse('selection:run', args=[slug, run.pk])}#draw")


@require_POST
@require_permission("commit", "draw")
def withdraw(request, slug):
    """Withdraw the commitment in force, before the draw, with a published reason."""
    commitment = actions.commitment_in_force(request.assembly)
    if commitment is None:
        raise Http404
    form = WithdrawCommitmentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        actions.check_withdraw_commitment(
            commitment, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The commitment was withdrawn; the reason is public."))
    return redirect(f"{reverse('selection:run', args=[slug, commitment.run_id])}#draw")


@require_POST
@require_permission("draw", "panel")
def draw(request, slug, run_id):
    """Enter the public seed: the panel is drawn from the uniform lottery."""
    assembly = request.assembly
    run = get_object_or_404(SelectionRun, pk=run_id, assembly=assembly)
    form = DrawForm(request.POST)
    if form.is_valid():
        ok, _run = run_action(
            form,
            actions.check_draw,
            run,
            public_seed=form.cleaned_data["public_seed"],
            acting_user=request.user,
        )
        if ok:
            messages.success(request, _("The panel has been drawn."))
            messages.info(
                request,
                _(
                    "Everyone else who registered is now being told that they were not "
                    "selected this time: by email, or in the Letters to post file."
                ),
            )
            return redirect("selection:panel", slug=slug)
    pool = pd.read_csv(io.StringIO(run.pool_csv or "id\n"), dtype=str, keep_default_na=False)
    probabilities = sorted(run.probabilities.items(), key=lambda kv: (kv[1], kv[0]))
    context = {
        "assembly": assembly,
        "run": run,
        "progress": run.progress,
        "commitment": actions.commitment_in_force(assembly),
        "withdraw_form": WithdrawCommitmentForm(),
        "targets": _targets_table(run, pool) if run.pool_csv else [],
        "histogram": actions.probability_histogram(run.probabilities.values()),
        "lowest": probabilities[:20],
        "highest": probabilities[-20:][::-1],
        "draw_form": form,
    }
    return render(request, "selection/run.html", context, status=400)


# --- the panel after the draw ------------------------------------------------------


def _panel_context(assembly, run, forms_for=None):
    forms_for = forms_for or {}
    members = list(run.members.select_related("registrant__participant").order_by("-active", "pk"))
    rows = []
    for m in members:
        rows.append(
            {
                "m": m,
                "response_form": forms_for.get(("respond", m.pk))
                or ResponseForm(prefix=f"r{m.pk}"),
                "replace_form": forms_for.get(("replace", m.pk))
                or ReplaceForm(
                    prefix=f"x{m.pk}", initial={"seed": new_seed().replace("sel", "rep")}
                ),
            }
        )
    active = [m for m in members if m.active]
    return {
        "assembly": assembly,
        "run": run,
        "rows": rows,
        "counts": Counter(m.registrant.status for m in active),
        "n_active": len(active),
        "n_uninvited": sum(1 for m in active if m.invited_at is None),
        "replacements": list(
            run.replacements.select_related(
                "declined__registrant__participant", "replacement__registrant__participant"
            )
        ),
        "targets": _targets_table(
            run, pd.read_csv(io.StringIO(run.pool_csv), dtype=str, keep_default_na=False)
        ),
    }


def _drawn_or_404(assembly):
    run = actions.drawn_run(assembly)
    if run is None:
        raise Http404
    return run


@require_permission("view", "panel")
def panel(request, slug):
    """The drawn panel: invite, record answers, replace decliners."""
    assembly = request.assembly
    run = actions.drawn_run(assembly)
    if run is None:
        return render(request, "selection/panel.html", {"assembly": assembly, "run": None})
    return render(request, "selection/panel.html", _panel_context(assembly, run))


@require_POST
@require_permission("manage", "panel")
def invite(request, slug):
    run = _drawn_or_404(request.assembly)
    n = actions.do_invite_panel(run, acting_user=request.user)
    messages.success(request, _("%(n)s people invited.") % {"n": n})
    return redirect("selection:panel", slug=slug)


@require_POST
@require_permission("manage", "panel")
def respond(request, slug, member_id):
    assembly = request.assembly
    run = _drawn_or_404(assembly)
    member = get_object_or_404(PanelMember, pk=member_id, run=run)
    form = ResponseForm(request.POST, prefix=f"r{member.pk}")
    if form.is_valid():
        ok, _m = run_action(
            form,
            actions.check_record_response,
            member,
            response=form.cleaned_data["response"],
            acting_user=request.user,
        )
        if ok:
            return redirect(f"{reverse('selection:panel', args=[slug])}#member-{member.pk}")
    context = _panel_context(assembly, run, {("respond", member.pk): form})
    return render(request, "selection/panel.html", context, status=400)


@require_POST
@require_permission("manage", "panel")
def replace(request, slug, member_id):
    assembly = request.assembly
    run = _drawn_or_404(assembly)
    member = get_object_or_404(PanelMember, pk=member_id, run=run)
    form = ReplaceForm(request.POST, prefix=f"x{member.pk}")
    if form.is_valid():
        ok, result = run_action(
            form,
            actions.check_replace,
            member,
            seed=form.cleaned_data["seed"],
            acting_user=request.user,
        )
        if ok:
            messages.success(
                request,
                _("%(old)s is replaced by %(new)s.")
                % {
                    "old": member.registrant.pseudonym,
                    "new": result.replacement.registrant.pseudonym,
                },
            )
            return redirect("selection:panel", slug=slug)
    context = _panel_context(assembly, run, {("replace", member.pk): form})
    return render(request, "selection/panel.html", context, status=400)


# --- the person's own answer, through the link in their invitation -------------


@require_permission("respond", "seat", hide=True)
def seat(request, slug, value):
    """A selected person's personal link: accept or decline the seat.

    GET shows the question and two buttons (so an email scanner that opens
    the link answers nothing); POST records the answer. Accepting makes them a
    member and emails their sign-in link.
    """
    assembly = request.assembly
    member = actions.member_for_seat_link(value, assembly)
    if member is None:
        raise Http404
    form = ResponseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, _m = run_action(
                form,
                actions.check_record_response,
                member,
                response=form.cleaned_data["response"],
                by_member=True,
            )
            if ok:
                member.refresh_from_db()
                member.registrant.refresh_from_db()
                return render(
                    request,
                    "selection/seat_done.html",
                    {"assembly": assembly, "member": member, "details": _seat_details(member)},
                )
        status = 400
    return render(
        request,
        "selection/seat.html",
        {
            "assembly": assembly,
            "member": member,
            "form": form,
            "details": _seat_details(member),
            "meetings": assembly.meetings.all(),
        },
        status=status,
    )


def _seat_details(member):
    return getattr(member.registrant.participant, "personal_details", None)


# --- public transparency page ----------------------------------------------------------


def _verification_lines(run, verification) -> list[str]:
    """The site's own check of the draw, line by line, in the visitor's language.

    The same steps as :func:`minipublic.sortition.verify` reports (in English
    on the command line): the seed's SHA-256, the remainder, the panel.
    """
    from minipublic.sortition import lottery_index

    m = len(actions.lottery_panels(run))
    index, digest = lottery_index(run.public_seed, m)
    lines = [
        _("SHA-256 of the seed “%(seed)s” is %(digest)s.")
        % {"seed": run.public_seed.strip(), "digest": digest},
        _("%(number)s mod %(m)s = %(index)s: panel %(index)s of the lottery.")
        % {"number": int(digest, 16), "m": m, "index": index},
    ]
    if verification.expected_panel == verification.published_panel:
        lines.append(
            _("The published panel of %(n)s people matches panel %(index)s.")
            % {"n": len(verification.published_panel), "index": index}
        )
    else:
        lines.append(_("The published panel does NOT match panel %(index)s.") % {"index": index})
    return lines


@require_permission("view", "transparency", hide=True)
def transparency(request, slug):
    """Public: the published files, the seed and how anyone can verify the draw."""
    assembly = request.assembly
    run = actions.drawn_run(assembly)
    context = {
        "assembly": assembly,
        "run": run,
        "files": actions.PUBLIC_FILES,
        "commitments": list(assembly.draw_commitments.select_related("run")),
    }
    if run is not None:
        context["verification"] = verification = actions.verify_run(run)
        context["verification_lines"] = _verification_lines(run, verification)
        context["replacements"] = list(
            run.replacements.select_related(
                "declined__registrant__participant", "replacement__registrant__participant"
            )
        )
    return render(request, "selection/transparency.html", context)


@require_permission("view", "transparency", hide=True)
def published_file(request, slug, name):
    """Download one published file of the drawn panel."""
    run = actions.drawn_run(request.assembly)
    if run is None or name not in actions.PUBLIC_FILES:
        raise Http404
    content, content_type = actions.published_file(run, name)
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

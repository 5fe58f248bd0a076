"""The organiser's API tokens page: make a token (shown once), revoke one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minipublic.web.api import actions
from minipublic.web.api.forms import ApiTokenForm
from minipublic.web.permissions import require_permission
from minipublic.web.shortcuts import run_action


@require_permission("manage", "api_tokens")
def tokens(request, slug):
    assembly = request.assembly
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        ok, result = run_action(
            form,
            actions.check_create_api_token,
            assembly,
            name=form.cleaned_data["name"],
            acting_user=request.user,
        )
        if ok:
            new_token = result[1]
            form = ApiTokenForm()
    response = render(
        request,
        "api/tokens.html",
        {
            "assembly": assembly,
            "form": form,
            "new_token": new_token,
            "rows": assembly.api_tokens.select_related("created_by"),
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@require_permission("manage", "api_tokens")
def revoke(request, slug, token_id: int):
    obj = get_object_or_404(request.assembly.api_tokens, pk=token_id)
    actions.do_revoke_api_token(obj, acting_user=request.user)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": obj.name})
    return redirect("api:tokens", slug=slug)

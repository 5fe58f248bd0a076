"""Every change to API tokens: create and revoke, each with an audit line."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minipublic.web.api.models import ApiToken, new_token, token_hash
from minipublic.web.assemblies.audit import record_event
from minipublic.web.assemblies.models import Assembly

MAX_ACTIVE_TOKENS = 20


def check_create_api_token(assembly: Assembly, *, name: str, acting_user=None):
    """Validate, then make a token; returns ``(ApiToken, plaintext token)``."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the tool that will use it.")})
    if assembly.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {"name": _("This assembly already has 20 active tokens. Revoke one first.")}
        )
    return do_create_api_token(assembly, name=name, acting_user=acting_user)


@transaction.atomic
def do_create_api_token(assembly: Assembly, *, name: str, acting_user=None):
    token = new_token()
    obj = ApiToken.objects.create(
        assembly=assembly,
        name=name,
        prefix=token[:10],
        hashed=token_hash(token),
        created_by=acting_user,
    )
    record_event("api_token.created", obj, actor=acting_user, assembly=assembly, new={"name": name})
    return obj, token


@transaction.atomic
def do_revoke_api_token(obj: ApiToken, *, acting_user=None) -> ApiToken:
    obj = ApiToken.objects.select_for_update().get(pk=obj.pk)
    if obj.revoked_at is not None:
        return obj
    obj.revoked_at = timezone.now()
    obj.save(update_fields=["revoked_at"])
    record_event(
        "api_token.revoked", obj, actor=acting_user, assembly=obj.assembly, old={"active": True}
    )
    return obj

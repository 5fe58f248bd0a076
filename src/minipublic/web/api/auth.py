"""Bearer-token authentication for the API's staff endpoints.

A request carries ``Authorization: Bearer mp_…``. The token is looked up by
its SHA-256 hash; a revoked token, or one whose maker is no longer an
organiser of the assembly, is refused (401). The token's assembly and maker
are put on the request as ``request.api_token``.
"""

from django.utils import timezone
from ninja.security import HttpBearer

from minipublic.web.api.models import ApiToken, token_hash
from minipublic.web.permissions import can


class AssemblyToken(HttpBearer):
    openapi_description = "A per-assembly token made by an organiser on the assembly's API page."

    def authenticate(self, request, token: str):
        obj = (
            ApiToken.objects.select_related("assembly", "created_by")
            .filter(hashed=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if obj is None or obj.created_by is None or not obj.created_by.is_active:
            return None
        if not can(obj.created_by, None, "manage", "api_tokens", assembly=obj.assembly):
            return None  # its maker is no longer an organiser of the assembly
        now = timezone.now()
        if obj.last_used_at is None or (now - obj.last_used_at).total_seconds() > 60:
            # At most one write a minute per token: reads stay cheap under load.
            ApiToken.objects.filter(pk=obj.pk).update(last_used_at=now)
        request.api_token = obj
        return obj

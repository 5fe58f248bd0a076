"""Site-wide request checks that must run before any view touches the database."""

from django.http import JsonResponse

NUL = "\x00"


def _nul_fields(request) -> list[str]:
    """Where the request carries a NUL character: ``"path"``, ``"query.<name>"``."""
    where = []
    if NUL in request.path:
        where.append("path")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            where.append(f"query.{key.replace(NUL, '')}")
    return where


class RefuseNulMiddleware:
    """Answer 400 (the API: 422 with field errors) to a NUL character in the address.

    PostgreSQL cannot store or compare text holding NUL (``DataError``: "text
    fields cannot contain NUL (0x00) bytes"), so a ``?q=%00`` or a slug with
    ``%00`` reaching a query is a server error there, and it aborts the
    transaction for the rest of the request. No legitimate address holds
    one. A cookie holding NUL (a session key) is dropped, as if absent.
    Form fields need no check here: Django's form ``CharField`` already
    refuses NUL with a field error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [k for k, v in request.COOKIES.items() if NUL in k or NUL in v]:
            del request.COOKIES[name]
        where = _nul_fields(request)
        if not where:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            errors = [{"field": f, "message": "NUL characters are not allowed."} for f in where]
            return JsonResponse(
                {"detail": "The request is not valid.", "errors": errors}, status=422
            )
        from minipublic.web.errors import bad_request

        return bad_request(request, None)

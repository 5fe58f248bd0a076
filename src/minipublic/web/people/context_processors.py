"""Template context: the signed-in member, if any."""


def participant(request):
    return {"participant": getattr(request, "participant", None)}

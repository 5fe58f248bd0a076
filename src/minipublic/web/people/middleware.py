"""Sets ``request.participant`` from the member's session (after a sign-in link)."""

SESSION_KEY = "minipublic_participant_id"


def participant_for_session(session):
    """Return the active participant whose id the session holds, or ``None``."""
    from minipublic.web.people.models import Participant

    pk = session.get(SESSION_KEY)
    if pk is None:
        return None
    participant = (
        Participant.objects.select_related("assembly", "personal_details")
        .filter(pk=pk, is_active=True)
        .first()
    )
    if participant is None:
        session.pop(SESSION_KEY, None)
    return participant


class ParticipantMiddleware:
    """Attach the signed-in member (or ``None``) as ``request.participant``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.participant = participant_for_session(request.session)
        return self.get_response(request)

"""Background tasks of the ``people`` app."""

from django.tasks import task

from minipublic.web.progress.reporting import tracked


@task()
def run_send_sign_in_links(*, progress_id: str, assembly_id: int, acting_user_id: int | None):
    """Email a fresh personal sign-in link to every active member with an email address."""
    from django.contrib.auth import get_user_model

    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.people.actions import do_issue_sign_in_link

    with tracked(progress_id) as report:
        assembly = Assembly.objects.get(pk=assembly_id)
        actor = get_user_model().objects.filter(pk=acting_user_id).first()
        members = list(
            assembly.participants.filter(is_active=True)
            .exclude(personal_details__email="")
            .select_related("personal_details")
        )
        n = len(members)
        for i, participant in enumerate(members, start=1):
            do_issue_sign_in_link(participant, acting_user=actor)
            report(i / n, f"{i} of {n} emails sent")
        report.finish({"sent": n})
    return {"sent": n}

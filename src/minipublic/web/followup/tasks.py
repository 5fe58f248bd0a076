"""Background tasks of the ``followup`` app: the daily email and large CSV imports."""

import base64
import datetime

from django.tasks import task

from minipublic.web.progress.reporting import tracked


@task()
def run_send_daily_digests(*, progress_id: str, assembly_id: int, day: str) -> dict:
    """Send *day*'s follow-up email (ISO date) to every member and follower, once each."""
    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.followup.digest import send_daily_digests

    with tracked(progress_id) as report:
        assembly = Assembly.objects.get(pk=assembly_id)
        result = send_daily_digests(assembly, datetime.date.fromisoformat(day), progress=report)
        report.finish(result)
    return result


@task()
def run_import_tracker_csv(
    *, progress_id: str, assembly_id: int, name: str, data: str, acting_user_id: int | None
) -> dict:
    """Import a tracker CSV (base64 in *data*) all or nothing; errors name row and column."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from minipublic.errors import MinipublicError
    from minipublic.web.assemblies.models import Assembly
    from minipublic.web.followup.csvfile import check_import_csv

    with tracked(progress_id) as report:
        assembly = Assembly.objects.get(pk=assembly_id)
        user = get_user_model().objects.filter(pk=acting_user_id).first()
        try:
            result = check_import_csv(
                assembly, base64.b64decode(data), name=name, acting_user=user, progress=report
            )
        except ValidationError as exc:
            messages = [m for ms in exc.message_dict.values() for m in ms]
            raise MinipublicError("; ".join(messages)) from None
        report.finish(result, url=reverse("followup:manage", args=[assembly.slug]))
    return result

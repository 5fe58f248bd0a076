"""``minipublic manage send_followup_email``: the daily follow-up email, for cron.

Run once a day (e.g. 07:00); it sends yesterday's notices (or ``--day``) of
every assembly, once per person: running it twice sends nothing more.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minipublic.web.assemblies.models import Assembly
from minipublic.web.followup.digest import send_daily_digests


class Command(BaseCommand):
    help = (
        "Send the daily follow-up email (responses published, progress reported) of every assembly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="The day whose news to send (YYYY-MM-DD); default yesterday."
        )

    def handle(self, *args, day=None, **options):
        if day:
            try:
                when = datetime.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--day {day!r} is not a date (write YYYY-MM-DD)") from None
        else:
            when = timezone.localdate() - datetime.timedelta(days=1)
        for assembly in Assembly.objects.order_by("pk"):
            result = send_daily_digests(assembly, when)
            if result["notices"]:
                self.stdout.write(
                    f"{assembly.slug}: {result['notices']} news, {result['sent']} emails sent, "
                    f"{result['skipped']} already sent"
                )

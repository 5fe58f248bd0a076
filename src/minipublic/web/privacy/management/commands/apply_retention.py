"""``minipublic manage apply_retention``: erase personal data of assemblies past their retention date.

Run daily from cron. Each person is erased as by the data-protection page
(audited); running it again does nothing more.
"""

from django.core.management.base import BaseCommand

from minipublic.web.privacy.actions import apply_retention


class Command(BaseCommand):
    help = "Erase the personal data of every assembly whose retention date has come."

    def handle(self, *args, **options):
        done = apply_retention()
        if not done:
            self.stdout.write("No assembly has reached its retention date.")
        for slug, n in done.items():
            self.stdout.write(f"{slug}: {n} people erased")

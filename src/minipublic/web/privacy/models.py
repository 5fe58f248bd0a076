"""Data protection: how long an assembly keeps personal data.

Erasure itself changes other apps' rows (see :mod:`minipublic.web.privacy.actions`);
this app stores only the retention date of each assembly.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minipublic.web.assemblies.models import Assembly


class Retention(models.Model):
    """After ``erase_personal_data_on``, ``apply_retention`` erases every person's details."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="retention")
    erase_personal_data_on = models.DateField(_("erase personal data on"))
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"retention of {self.assembly}"

"""Registrants keep a household pseudonym (keyed hash), not the normalised address."""

from django.db import migrations


def hash_household_keys(apps, schema_editor):
    from minipublic.web.recruitment.models import household_pseudonym

    Registrant = apps.get_model("recruitment", "Registrant")
    changed = []
    for registrant in Registrant.objects.exclude(household_key="").exclude(
        household_key__startswith="H-"
    ):
        registrant.household_key = household_pseudonym(registrant.household_key)
        changed.append(registrant)
    Registrant.objects.bulk_update(changed, ["household_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0002_registration_close_and_messages")]

    operations = [migrations.RunPython(hash_household_keys, migrations.RunPython.noop)]

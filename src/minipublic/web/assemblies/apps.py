from django.apps import AppConfig


class AssembliesConfig(AppConfig):
    name = "minipublic.web.assemblies"
    label = "assemblies"
    default_auto_field = "django.db.models.BigAutoField"

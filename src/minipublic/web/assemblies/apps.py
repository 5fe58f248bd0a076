from django.apps import AppConfig


class AssembliesConfig(AppConfig):
    name = "minipublic.web.assemblies"
    label = "assemblies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Site-wide system checks (mail, base URL) live in minipublic.web.checks.
        from minipublic.web import checks  # noqa: F401

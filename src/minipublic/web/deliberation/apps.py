from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "minipublic.web.deliberation"
    label = "deliberation"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "minipublic.web.learning"
    label = "learning"
    default_auto_field = "django.db.models.BigAutoField"

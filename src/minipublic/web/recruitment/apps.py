from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "minipublic.web.recruitment"
    label = "recruitment"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "minipublic.web.deliberation"
    label = "deliberation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from minipublic.web.assemblies.models import Assembly
        from minipublic.web.deliberation.models import Conversation
        from minipublic.web.deliberation.views import forget_assemblies

        # A settings change is seen at once by this process (others within 2 s).
        for model in (Assembly, Conversation):
            post_save.connect(
                forget_assemblies, sender=model, dispatch_uid=f"delib-{model.__name__}"
            )

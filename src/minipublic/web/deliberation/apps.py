from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "minipublic.web.deliberation"
    label = "deliberation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from minipublic.web.assemblies.models import Assembly
        from minipublic.web.deliberation.cached import remember_map_version
        from minipublic.web.deliberation.models import Conversation
        from minipublic.web.deliberation.views import forget_assemblies

        # A settings change is seen at once by this process (others within 2 s).
        for model in (Assembly, Conversation):
            post_save.connect(
                forget_assemblies, sender=model, dispatch_uid=f"delib-{model.__name__}"
            )
        # A new map's version reaches the cache (every process, with Redis) on commit.
        post_save.connect(remember_map_version, sender=Conversation, dispatch_uid="delib-mapv")

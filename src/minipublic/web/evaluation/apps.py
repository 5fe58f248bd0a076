from django.apps import AppConfig
from django.db.models.signals import post_save


def _record_baseline(sender, instance, created, **kwargs):
    """A new registrant's baseline answers become their T0 survey response."""
    from minipublic.web.evaluation.registration import baseline_answers

    if created and not kwargs.get("raw") and baseline_answers(instance.extra):
        from minipublic.web.evaluation.actions import do_record_baseline

        do_record_baseline(instance)


class EvaluationConfig(AppConfig):
    name = "minipublic.web.evaluation"
    label = "evaluation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_save.connect(
            _record_baseline,
            sender="recruitment.Registrant",
            dispatch_uid="evaluation.record_baseline",
        )

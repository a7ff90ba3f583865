from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation and improvement (chapter 10)")

    def ready(self) -> None:
        # The agency-adjustable values of 10.1 and 10.2 are declared next to the services that
        # enforce them; import those so every agency's settings can be validated from the start.
        from evaluation.services import campaigns, complaints, improvement  # noqa: F401

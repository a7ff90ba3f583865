from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation and improvement (chapter 10)")

    def ready(self) -> None:
        # The agency-adjustable values of 10.1 and 10.2 are declared in the app's rules; import
        # them so every agency's settings can be validated from the start.
        from evaluation import rules  # noqa: F401

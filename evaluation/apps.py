from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation and improvement (chapter 10)")
    # The topics every layer of this app is split by (docs/architecture.md), with the clause each serves.
    topics = {
        "campaigns": "10.1 yearly evaluation campaigns and surveys",
        "questionnaires": "10.1 questionnaires",
        "complaints": "10.1 complaints (customer protection)",
        "improvement": "10.2 improvement actions",
        "followups": "10.2 follow-up surveys after an improvement",
        "public": "10.1 the public survey pages",
    }

    def ready(self) -> None:
        # The agency-adjustable values of 10.1 and 10.2 are declared in the app's rules; import
        # them so every agency's settings can be validated from the start.
        from evaluation import rules  # noqa: F401

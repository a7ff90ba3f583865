"""Reads of clause 10.2: the thread of a finding, round by round."""

from __future__ import annotations

from evaluation.models import EvaluationCampaign, ImprovementAction, ImprovementCycle


def cycle_thread(cycle: ImprovementCycle) -> list[dict]:
    """The history of a finding, round by round: the actions taken and the follow-ups that
    checked them (10.2)."""
    actions = list(
        ImprovementAction.objects.filter(cycle=cycle).select_related("owner").order_by("round", "due_date", "pk")
    )
    follow_ups = list(EvaluationCampaign.objects.filter(cycle=cycle).order_by("round", "opens_on", "pk"))
    rounds: dict[int, dict] = {}
    for number in sorted({a.round for a in actions} | {f.round or 1 for f in follow_ups} | {cycle.round}):
        rounds[number] = {"round": number, "actions": [], "follow_ups": []}
    for action in actions:
        rounds[action.round]["actions"].append(action)
    for follow_up in follow_ups:
        rounds[follow_up.round or 1]["follow_ups"].append(follow_up)
    return list(rounds.values())

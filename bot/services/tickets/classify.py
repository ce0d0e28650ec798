"""classify(text) -> Classification: category, confidence, intent, urgency and
routing of a voter's message. The model lives in bot/nlp (pure, no app imports);
services reach it through this one module."""
from __future__ import annotations

from ...nlp import CATEGORIES, OTHER, Classification, classify
from ...nlp.matters import matters, refers_back
from ...nlp.rules import service_aspect, without_service_questions


def categories() -> tuple[str, ...]:
    return CATEGORIES


__all__ = ["OTHER", "Classification", "categories", "classify", "matters", "refers_back", "service_aspect",
           "without_service_questions"]

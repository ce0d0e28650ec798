"""Understanding voters' messages: category, intent, urgency and routing.

Pure Python + numpy. The trained artifact (bot/nlp/artifacts/classifier.npz)
is loaded on the first call and cached; importing this package is cheap.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from . import rules
from .categories import CATEGORIES, OTHER
from .normalize import clean
from .routing import route

INTENTS: tuple[str, ...] = ("opinion", "question", "greeting", "rating", "followup")
TOPICS: tuple[str, ...] = ("reception_day", "site_location", "progress", "benefits")
# Topics only the rules give (the topic model is not trained on them): questions
# about the service itself (what the account does, who my deputy is, real
# names, voice). Narrow and fixed by wording, so rules are precise enough.
RULE_TOPICS: tuple[str, ...] = ("service",)

# Long pastes are cut before any work: the head carries the topic and this
# bounds latency for a 5,000-character message.
MAX_INPUT = 600
INTENT_CHARS = 80
TOPIC_CHARS = 200
# The topic model answers only when fairly sure: a wrong automatic answer
# is worse than passing the question on to the deputy.
TOPIC_MIN = 0.5
# What the urgency model must reach when the danger words read as past,
# prevention or elsewhere (it was trained on such near-misses).
PAST_BAR = 0.9
_NOT_WORD = re.compile(r"[^\w★☆⭐]+")


@dataclass(frozen=True)
class Classification:
    category: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    office: str
    level: str  # "township" | "county"
    urgent: bool
    intent: str  # opinion | question | greeting | rating | followup
    topic: str | None  # for questions: reception_day | site_location | progress | benefits | service
    needs_triage: bool  # confidence below the shipped threshold


_lock = threading.Lock()
_artifact = None


def get_artifact():
    """The shipped artifact, loaded once per process."""
    global _artifact
    if _artifact is None:
        with _lock:
            if _artifact is None:
                from .model import load_artifact

                _artifact = load_artifact()
    return _artifact


def _category(art, text: str, cleaned: str) -> tuple[str, float, tuple[tuple[str, float], ...]]:
    from .model import category_proba

    probs = category_proba(art.category, art.meta, text, cleaned)
    if probs is None:
        return OTHER, 0.0, ()
    order = probs.argsort()[::-1]
    classes = art.category.classes
    top = classes[order[0]]
    alts = tuple((classes[i], round(float(probs[i]), 4)) for i in order[1:4])
    return top, round(float(probs[order[0]]), 4), alts


def _intent(art, text: str, compact: str, cleaned: str) -> str:
    fixed = rules.rule_intent(compact)
    if fixed:
        return fixed
    head = text[:TOPIC_CHARS]
    if rules.question_topic(head) == "service":
        # "帮助", "我的代表是谁", "可以匿名吗": whatever the model reads into the
        # words, they ask about the service. A matter told beside such a question
        # is found again by the handler (rules.without_service_questions).
        return "question"
    # Greetings, ratings and the station questions are short; a long text is
    # an opinion or a follow-up, and skipping the model keeps the tail fast.
    probs = art.intent.proba(cleaned) if len(cleaned) <= INTENT_CHARS else None
    intent = "opinion" if probs is None else art.intent.classes[int(probs.argmax())]
    if intent == "question" and not rules.asks(head) and not rules.question_topic(head):
        # "卖土鸡蛋，要的联系我" asks nothing, whatever the model saw in it.
        return "followup" if rules.looks_like_followup(head) else "opinion"
    if intent == "followup" and rules.question_topic(head) == "progress":
        return "question"  # "the matter I reported: how far has it got?" wants the status
    if intent in ("opinion", "rating", "greeting") and rules.looks_like_followup(head):
        return "followup"
    if intent == "question" and rules.looks_like_followup(head) and not _topic(art, text, cleaned):
        return "followup"  # "上次提的意见 能不能快点办" chases, it does not ask
    if intent == "greeting" and len(compact) > 6 and rules.still_wrong(head):
        return "opinion"
    if intent in ("opinion", "greeting", "rating"):
        topic = rules.question_topic(head)
        # These can only be questions to the station itself; a short "how do I
        # apply for X" is a benefits question even if the model hesitates.
        if topic in ("reception_day", "site_location", "progress") or (topic == "benefits" and len(cleaned) <= 20):
            return "question"
    return intent


def _topic(art, text: str, cleaned: str) -> str | None:
    """What a question asks about: the rules first, then the topic model."""
    topic = rules.question_topic(text[:TOPIC_CHARS])
    if topic or art.topic is None or len(cleaned) > INTENT_CHARS:
        return topic
    probs = art.topic.proba(cleaned)
    if probs is None or probs.max() < TOPIC_MIN:
        return None
    topic = art.topic.classes[int(probs.argmax())]
    if topic == "benefits" and not rules.names_a_benefit(text[:TOPIC_CHARS]):
        return None
    return topic if topic in TOPICS else None


def _urgent(art, text: str, compact: str, cleaned: str) -> bool:
    """The patterns or the model: either is enough (a missed alarm costs more)."""
    if rules.is_urgent(text):
        return True
    if art.urgency is None:
        return False
    probs = art.urgency.proba(cleaned)
    return probs is not None and float(probs[1]) >= model_bar(art.meta, text, compact)


def model_bar(meta: dict, text: str, compact: str | None = None) -> float:
    """The probability the urgency model needs. A bare score, emoji or hello
    (and anything of three characters or fewer) is decided by its form; danger
    words about the past or somewhere else need the model to be nearly sure,
    since "保险丝烧了 电线冒烟着火了" must still alarm."""
    compact = _compact(text) if compact is None else compact
    if len(compact) <= 3 or rules.bare_form(compact):
        return 2.0  # never reached
    if rules.is_past_or_elsewhere(text):
        return max(PAST_BAR, float(meta["urgency_threshold"]))
    return float(meta["urgency_threshold"])


def _compact(text: str) -> str:
    """Only short messages are decided by form (ratings, greetings): a bounded head suffices."""
    return _NOT_WORD.sub("", text[:64].lower()).replace("_", "")


def classify(text: str) -> Classification:
    """Classify one voter message; never raises for any str."""
    return classify_with(get_artifact(), text)


def classify_with(art, text: str) -> Classification:
    """classify() against a given artifact (benchmarks, evaluation of candidates)."""
    text = text if isinstance(text, str) else str(text)
    text = unicodedata.normalize("NFKC", text[:MAX_INPUT])
    compact = _compact(text)
    cleaned = clean(text)
    category, confidence, alts = _category(art, text, cleaned)
    intent = _intent(art, text, compact, cleaned)
    topic = _topic(art, text, cleaned) if intent == "question" else None
    if intent == "question" and topic is None and category != OTHER and confidence >= art.threshold:
        # A question the bot cannot answer but the deputy's office can: it
        # becomes an opinion so that it opens a ticket instead of getting lost.
        intent = "opinion"
    if intent == "followup" and category != OTHER and confidence >= art.threshold and not rules.looks_like_followup(text[:TOPIC_CHARS]):
        # A clear matter told on its own ("村口的路灯坏了一个月了"), with no word
        # pointing back, is a new opinion: never an add-on to another ticket.
        intent = "opinion"
    urgent = _urgent(art, text, compact, cleaned)
    if urgent and intent in ("greeting", "rating"):
        intent = "opinion"  # danger is never small talk
    if intent in ("greeting", "rating") and confidence < art.threshold:
        category = OTHER
    where = route(category, text)
    return Classification(
        category=category,
        confidence=confidence,
        alternatives=alts,
        office=where.office,
        level=where.level,
        urgent=urgent,
        intent=intent,
        topic=topic,
        needs_triage=category == OTHER or confidence < art.threshold,
    )


__all__ = ["CATEGORIES", "INTENTS", "OTHER", "RULE_TOPICS", "TOPICS", "Classification", "classify", "get_artifact"]

"""Reading an answer as a person types it: forgiving, and precise about what is wrong.

``yes`` / ``no`` / ``unknown`` (``y``, ``n``, ``?``, ``u``, ``dk``, any case), a side for sided
questions (``left`` / ``right`` / ``both``, or ``l`` / ``r`` / ``b``; a side means yes), and an
optional certainty after the answer (``yes 0.6``, ``l .8``, ``yes 60%``). The age is a whole
number of years, or ``?``. A checklist also takes the numbers of the items that apply
(``2 5``, ``2,5``); the equipment list takes the numbers of what is at hand, ``none`` (body
weight only) or ``?``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..problems import clip, shown

SIDES = ("left", "right", "both")
WORDS = {
    "y": "yes", "yes": "yes", "yeah": "yes", "yep": "yes", "true": "yes",
    "n": "no", "no": "no", "nope": "no", "false": "no",
    "?": "unknown", "u": "unknown", "unknown": "unknown", "dk": "unknown",
    "don't know": "unknown", "dont know": "unknown", "not sure": "unknown",
    "l": "left", "left": "left", "r": "right", "right": "right", "b": "both", "both": "both",
}
_SPLIT = re.compile(r"^(?P<word>.*?)(?:[\s,:]+(?P<cf>\d*\.?\d+%?))?$")


class BadAnswer(ValueError):
    """What was typed is not an answer to this question; the message says what to type."""


@dataclass(frozen=True)
class Reply:
    """An answer as it will be recorded: ``value`` as in case files, and its certainty."""

    value: str  # yes | no | unknown | left | right | both, or an age in years; picked; none
    certainty: float = 1.0
    picks: tuple[int, ...] = ()  # a checklist: the numbers of the items picked (from 1)

    @property
    def positive(self) -> bool:
        return self.value in ("yes", *SIDES) and self.certainty > 0


def choices(sided: bool) -> str:
    """The allowed answers, as shown with a question."""
    return "yes / no / ? (or left / right / both)" if sided else "yes / no / ?"


SIDE_CHOICES = "left / right / both / ?"
AGE_CHOICES = "years / ?"
WEEKS_CHOICES = "weeks / ?"
WEEKS = 45  # the most weeks of pregnancy a case file takes
CHECKLIST_CHOICES = "no / numbers / yes / ?"
EQUIPMENT_CHOICES = "numbers / none / ?"
NONE_WORDS = ("none", "no", "n", "nothing", "nope", "body weight", "bodyweight")
_DIGITS = 6  # no list is longer than this many digits count
_NUMBERS = re.compile(r"^\d+(?:[\s,;]+\d+)*$")


def _certainty(text: str | None) -> float:
    if text is None:
        return 1.0
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    if not 0 <= value <= 1:
        raise BadAnswer(f"a certainty is between 0 and 1 (or 0% to 100%), not {clip(text)}")
    return round(value, 4)


def _split(text: str) -> tuple[str, float]:
    cleaned = " ".join(text.strip().lower().split())
    match = _SPLIT.match(cleaned)
    word, cf = (match.group("word"), match.group("cf")) if match else (cleaned, None)
    if word not in WORDS and cf is not None:  # a bare number such as "0.6"
        word, cf = cleaned, None
    return word.strip(" ,:"), _certainty(cf)


def parse_answer(text: str, sided: bool) -> Reply:
    """Read an answer to a yes/no question (a side also answers a sided one)."""
    word, certainty = _split(text)
    if not word:
        raise BadAnswer(f"please answer {choices(sided)}")
    value = WORDS.get(word)
    if value is None:
        raise BadAnswer(f"{shown(text.strip())} is not an answer: type {choices(sided)}, "
                        "or help")
    if value in SIDES and not sided:
        raise BadAnswer("this question has no side: answer yes, no or ?")
    if value == "unknown" and certainty != 1.0:
        raise BadAnswer("a certainty goes with yes, no or a side, not with ?")
    return Reply(value, certainty)


def _picked(cleaned: str, count: int, what: str) -> Reply:
    """The items picked by number in a list of ``count`` (checklists and equipment)."""
    digits = re.split(r"[\s,;]+", cleaned)
    if any(len(n) > _DIGITS for n in digits):  # int() refuses thousands of digits anyway
        raise BadAnswer(f"there is no item {clip(max(digits, key=len))}: {what}")
    numbers = sorted({int(n) for n in digits})
    wrong = [n for n in numbers if not 1 <= n <= count]
    if wrong:
        raise BadAnswer(f"there is no item {wrong[0]}: {what}")
    return Reply("picked", 1.0, tuple(numbers))


def parse_checklist(text: str, count: int) -> Reply:
    """Read the answer to a checklist of ``count`` items: no (none applies), the numbers of
    the items that apply, or yes or ? (its items are then asked one by one)."""
    cleaned = text.strip()
    what = (f"type no if none applies, the numbers of those that apply (1 to {count}), or yes "
            "or ? to go through them one by one")
    if _NUMBERS.match(cleaned):
        return _picked(cleaned, count, what)
    word, certainty = _split(cleaned)
    value = WORDS.get(word)
    if not word:
        raise BadAnswer(f"please answer: {what}")
    if value is None or value in SIDES:
        raise BadAnswer(f"{shown(cleaned)} is not an answer here: {what}, or help")
    if value == "unknown" and certainty != 1.0:
        raise BadAnswer("a certainty goes with yes or no, not with ?")
    return Reply(value, certainty)


def parse_equipment(text: str, count: int) -> Reply:
    """Read the answer to the equipment list of ``count`` items: the numbers of those at hand
    (``all`` for every one), none (``no``: body weight only), or ? (not said: the programme keeps
    its assumed kit)."""
    cleaned = " ".join(text.strip().lower().split())
    what = (f"type the numbers of what you have (1 to {count}), none for body weight only, or ? "
            "if you would rather not say")
    if _NUMBERS.match(cleaned):
        return _picked(cleaned, count, what)
    if not cleaned:
        raise BadAnswer(f"please answer: {what}")
    if cleaned in NONE_WORDS:
        return Reply("none")
    if cleaned == "all":
        return Reply("picked", 1.0, tuple(range(1, count + 1)))
    if WORDS.get(cleaned) == "unknown":
        return Reply("unknown")
    raise BadAnswer(f"{shown(text.strip())} is not an answer here: {what}, or help")


def parse_side(text: str, certainty: float = 1.0) -> Reply:
    """Read the side of a yes; ``?`` keeps the yes without a side."""
    word, typed = _split(text)
    value = WORDS.get(word)
    if value not in (*SIDES, "unknown"):
        raise BadAnswer(f"which side? type {SIDE_CHOICES}" +
                        (" (the yes is already recorded)" if value in ("yes", "no") else ""))
    if value == "unknown":
        return Reply("yes", certainty)
    return Reply(value, typed if typed != 1.0 else certainty)


def whole(word: str, high: int) -> bool:
    """Whether ``word`` is a whole number from 0 to ``high`` in the digits 0-9 (``isdigit``
    alone lets "²" through, which ``int`` refuses, and ``int`` refuses over 4,300 digits)."""
    return word.isascii() and word.isdigit() and len(word) <= len(str(high)) + 2 \
        and int(word) <= high


def parse_age(text: str) -> Reply:
    word = text.strip().lower()
    if WORDS.get(word) == "unknown" or word in ("skip", "-"):
        return Reply("unknown")
    word = word.removesuffix("years").removesuffix("y").strip()
    if not whole(word, 120):
        raise BadAnswer("type the age as a whole number of years (0 to 120), or ? to skip")
    return Reply(str(int(word)))


def parse_weeks(text: str) -> Reply:
    """Whole weeks of pregnancy, or ``?`` (the programme then assumes the safe side)."""
    word = text.strip().lower()
    if WORDS.get(word) == "unknown" or word in ("skip", "-"):
        return Reply("unknown")
    word = word.removesuffix("weeks").removesuffix("week").removesuffix("w").strip()
    if not whole(word, WEEKS):
        raise BadAnswer(f"type the whole weeks of pregnancy (0 to {WEEKS}), or ? if not known")
    return Reply(str(int(word)))


def describe(value: str, certainty: float = 1.0) -> str:
    """An answer in words, as shown in reviews."""
    text = {"unknown": "don't know", "picked": "the ones picked"}.get(value, value)
    return text if certainty == 1.0 else f"{text} (certainty {certainty:g})"

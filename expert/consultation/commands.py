"""The commands a person can type at any prompt instead of an answer, and their help text."""

from __future__ import annotations

from dataclasses import dataclass

NAMES = {"why": "why", "explain": "explain", "how": "how", "change": "change", "back": "back",
         "undo": "back", "review": "review", "help": "help", "quit": "quit", "exit": "quit"}
NUMBERED = ("how", "change")

HELP = """\
Answers: yes / no / ? (don't know); y, n and ? will do, in any case.
  Sided questions also take left / right / both (or l, r, b); or answer yes and say
  which side next. Unsure? Add a certainty between 0 and 1: "yes 0.6", "left 0.8".
Lists ("do any of these apply?"): no if none of them applies; the numbers of those that
  apply ("2 5"), the others counting as no; yes or ? to go through them one by one.
Commands, at any prompt:
  why             why this question is asked: the rules and findings it can change
  review          your answers so far, numbered, and the findings so far
  change N        revise answer N (everything is worked out again)
  back            go back to the previous question
  how N           how finding N was reached (once there are findings)
  explain MUSCLE  the same, by muscle name (for example: explain upper trapezius)
  help            this help
  quit            stop here; your answers are kept and you can resume later"""


class BadCommand(ValueError):
    """A command typed with a missing or wrong argument; the message shows the usage."""


@dataclass(frozen=True)
class Command:
    name: str
    arg: str = ""

    @property
    def number(self) -> int:
        return int(self.arg)


def parse_command(text: str) -> Command | None:
    """The command typed, or None when the text is not a command (it may be an answer)."""
    parts = text.strip().split(None, 1)
    if not parts:
        return None
    name = NAMES.get(parts[0].lower())
    if name is None:
        return None
    arg = parts[1].strip() if len(parts) > 1 else ""
    if name in NUMBERED and not arg.isdigit():
        what = "an earlier answer (see review)" if name == "change" else "a finding (see review)"
        raise BadCommand(f"{name} N: N is the number of {what}")
    if name == "explain" and not arg:
        raise BadCommand("explain MUSCLE: name a muscle of the findings, for example "
                         "explain upper trapezius")
    if name not in NUMBERED and name != "explain" and arg:
        raise BadCommand(f"{name} takes nothing after it")
    return Command(name, arg)

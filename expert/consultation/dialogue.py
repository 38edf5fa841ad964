"""The dialogue: puts the consultant's questions, reads answers and commands, and ends with the
findings, their reasons and the programme (or the referral) and an offer to save a case file.

Nothing is lost: the consultant saves the session after every answer; end of input, Ctrl-C, a
closed terminal (SIGHUP) or SIGTERM end the dialogue with the session saved and, where a
terminal is left to read it, the command that resumes it.
"""

from __future__ import annotations

import contextlib
import shlex
import signal

from . import forms, review
from .answers import BadAnswer, Reply
from .commands import HELP, BadCommand, Command, parse_command
from .consultant import Consultant, Prompt
from .ending import offer_case, offer_documents
from .lock import SessionLock
from .revision import revise
from .safekeeping import Safekeeping
from .screen import Hangup, Screen, hangup_guard


def converse(consultant: Consultant, screen: Screen, prefix: list[str], lock: SessionLock,
             resumed: bool) -> int:
    """The consultation at the terminal from the welcome to the end, holding ``lock`` (released
    after); the exit status."""
    try:
        dialogue = Dialogue(consultant, screen, prefix, lock)
        dialogue.welcome(resumed)
        return dialogue.run()
    finally:
        lock.release()


class Quit(Exception):
    """The person typed quit."""


class Reopened(Exception):
    """An answer was changed after the end: carry on asking."""


class Dialogue:
    """One consultation at the terminal, from the welcome to the report (or a stop)."""

    def __init__(self, consultant: Consultant, screen: Screen, prefix: list[str],
                 lock: SessionLock | None = None) -> None:
        self.c = consultant
        self.screen = screen
        self.prefix = prefix  # the command line up to ``consult`` (with --kb if given)
        self.keeping = Safekeeping(consultant, screen, lock)
        self.section = ""
        self.shown: set[str] = set()  # instructions already shown
        self.asked = ""  # the question last put

    @property
    def resume(self) -> str:
        """The command that resumes this session."""
        session = self.c.session
        if session.storage is not None and session.stored:
            return shlex.join([*self.prefix, "consult", *session.storage.resume])
        return shlex.join([*self.prefix, "consult", "--resume", str(session.path)])

    # -- the whole consultation ------------------------------------------------------------
    def welcome(self, resumed: bool) -> None:
        from ..report import DISCLAIMER
        session, say = self.c.session, self.screen.say
        who = ("a person alone: symptoms, habits and what a mirror shows"
               if session.mode == "self" else
               "a trainer with a client, with the movement assessments")
        say(f"imbalance consult — {session.mode} mode ({who})", bold=True)
        self.screen.wrap(DISCLAIMER, fg="bright_black")
        if resumed:
            n = len(session.items)
            say(f"Resuming {session.where}: {n} answer{'s' if n != 1 else ''} so far.")
        else:
            self.screen.wrap("Answer yes, no or ? (don't know); sided questions also take left, "
                             "right or both. Add a certainty if you are unsure, as in "
                             "\"yes 0.6\". For a list, answer no if none of it applies, or "
                             "type the numbers of those that apply (as in \"2 5\"). Type why "
                             "at any prompt to see why a question is asked, help for the other "
                             "commands.")
            say(f"Your answers are saved as you go in {session.where}")
        self.screen.command("To continue later:", self.resume)

    def run(self) -> int:
        """Run to the end or until stopped; the exit status."""
        try:
            with hangup_guard():
                while True:
                    prompt = self.c.current()
                    if self.c.save_error is not None:
                        self.keeping.unsaved(lambda: self.resume)
                    if prompt is None:
                        try:
                            self.finish()
                        except Reopened:
                            continue
                        return 0
                    self.put(prompt)
        except Quit:
            return self.stopped("Stopped.", 0)
        except EOFError:
            return self.stopped("End of input.", 0)
        except KeyboardInterrupt:
            return self.stopped("Interrupted.", 130)
        except Hangup as exc:
            signum = int(exc.args[0])
            why = "Terminal closed." if signum == getattr(signal, "SIGHUP", -1) else "Stopped."
            with contextlib.suppress(OSError, ValueError):  # the terminal may be gone
                self.stopped(why, 128 + signum)
            return 128 + signum

    def stopped(self, why: str, status: int) -> int:
        session = self.c.session
        trouble = self.keeping.save_somewhere()
        self.screen.say()
        if trouble:
            self.screen.wrap(trouble, fg="yellow")
            if self.c.save_error is not None:
                self.screen.say(why)
                return status
        if session.complete:
            self.screen.say(f"{why} The consultation is saved in {session.where}.")
        else:
            n = len(session.items)
            self.screen.say(f"{why} Your {n} answer{'s' if n != 1 else ''} so far "
                            f"{'are' if n != 1 else 'is'} saved in {session.where}.")
            self.screen.command("Continue where you stopped with:", self.resume, bold=True)
        return status

    # -- one question -------------------------------------------------------------------------
    def put(self, prompt: Prompt) -> None:
        topic = prompt.topic
        questionnaire = self.c.questionnaire
        if topic.section and topic.section != self.section:
            self.section = topic.section
            self.screen.say()
            self.screen.say(topic.section, bold=True, underline=True)
        notes = [questionnaire.topic(k).instructions for k in prompt.items
                 if topic.is_checklist] or [topic.instructions]
        for note in dict.fromkeys(n for n in notes if n and n not in self.shown):
            self.shown.add(note)
            self.screen.wrap(note, "     ", fg="blue")
        if prompt.part == "answer" or self.asked != topic.key:
            text = topic.text
            if topic.is_checklist and topic.title != topic.section:
                text = f"{topic.title}: {text}"
            item = self.c.session.item(topic.key)
            if prompt.part == "side" and item is not None and item.picked:
                self.screen.wrap(text, "     ")  # part of its checklist's question
            else:
                self.screen.wrap(text, "     ", f"{prompt.number:>3}. ")
            forms.show_list(self.screen, questionnaire, prompt.items, topic.is_equipment)
        self.asked = topic.key
        if prompt.part == "side":
            self.screen.say("     Which side?")
        form = forms.of_prompt(self.c, prompt)
        while True:
            line = self.screen.read(f"     {form.choices} > ")
            try:
                command = parse_command(line)
                if command is not None:
                    if self.command(command, prompt):
                        return
                    continue
                reply = form.read(line)
            except (BadAnswer, BadCommand) as exc:
                self.screen.wrap(str(exc), "     ", fg="yellow")
                continue
            if not self.confirmed(prompt, reply):
                continue
            self.c.answer(reply)
            return

    def confirmed(self, prompt: Prompt, reply: Reply) -> bool:
        """Numbers picked in a checklist that would end the consultation with a referral are
        read back once ("You ticked 2: ... Is that right?"): a typing slip must not send
        anyone to the emergency department. True to record the answer."""
        level = self.c.would_refer(reply)
        if level is None:
            return True
        items = prompt.items
        picked = [n for n in dict.fromkeys(reply.picks) if 1 <= n <= len(items)]
        ticked = "; ".join(f"{n}: {self.c.questionnaire.item(items[n - 1])}" for n in picked)
        self.screen.wrap(f"You ticked {ticked}. Is that right?", "     ", bold=True)
        while True:
            line = self.screen.read("     yes / no > ").strip().lower()
            if line in ("y", "yes"):
                return True
            if line in ("n", "no"):
                self.screen.say("     Then answer the list again.")
                return False
            self.screen.say("     type yes to keep it, or no to answer the list again",
                            fg="yellow")

    # -- commands -----------------------------------------------------------------------------
    def command(self, command: Command, prompt: Prompt | None) -> bool:
        """Carry out a command; True when the question was left (back, change)."""
        name = command.name
        if name == "quit":
            raise Quit
        if name == "help":
            if prompt is not None and prompt.topic.help:
                self.screen.wrap(prompt.topic.help, "     ", fg="blue")
            self.screen.lines(HELP.splitlines())
        elif name == "why":
            if prompt is None:
                self.screen.say("The consultation is complete: no question is pending.")
            else:
                self.screen.lines(self.c.why(prompt))
        elif name == "review":
            review.review(self.screen, self.c)
        elif name in ("how", "explain"):
            review.explain(self.screen, self.c, command)
        elif name == "back":
            if self.c.back():
                self.section = self.asked = ""
                return True
            self.screen.say("     This is the first question: there is nothing to go back to.")
        elif name == "change":  # unchanged, the pending question is put again
            return self.change(command.number) or prompt is not None
        return False

    def change(self, number: int) -> bool:
        """Revise the answer to question ``number``; True when it was changed."""
        changed = revise(self.screen, self.c, number, self.still_pending)
        if changed is None:
            return False
        self.section = self.asked = ""
        self.screen.say(f"     Changed to {review.answer_words(self.c, changed)}; everything is "
                        "worked out again.")
        return True

    def still_pending(self) -> str:
        """Which question is waiting, for a change that changed nothing."""
        prompt = self.c.current()
        if prompt is None:
            return ""
        self.asked = ""  # put again in full
        return f" Back to question {prompt.number}:"

    # -- the end --------------------------------------------------------------------------------
    def finish(self) -> None:
        from ..cli.display import show_case
        report = self.c.report()
        self.screen.say()
        self.screen.say("Consultation complete" + (" — a red flag stops it here."
                                                   if report["referral"] else "."), bold=True)
        # the disclaimer was said at the start; review and how N show the rest
        show_case(self.screen.console(), report, more="Type review for the possible findings "
                  "too, how N for every reason behind finding N.", disclaimer=False,
                  heading=False)
        skipped = self.c.skipped()
        if skipped and not report["referral"]:
            self.screen.say(f"{skipped} question{'s were' if skipped != 1 else ' was'} not asked: "
                            "the answer could not have changed a finding.", dim=True)
        offer_case(self.screen, self.c)
        offer_documents(self.screen, self.c)
        self.screen.say()
        self.screen.say("Type how N or explain MUSCLE to see a reason in full, change N to "
                        "revise an answer, review, or press Enter to finish.")
        while True:
            line = self.screen.read("> ")
            if not line.strip():
                return
            try:
                command = parse_command(line)
            except BadCommand as exc:
                self.screen.say(str(exc), fg="yellow")
                continue
            if command is None:
                self.screen.say("The consultation is complete; type a command (help lists "
                                "them) or press Enter to finish.", fg="yellow")
            elif command.name == "back":
                self.screen.say("Use change N to revise an answer.", fg="yellow")
            elif self.command(command, None):
                raise Reopened

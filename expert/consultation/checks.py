"""The checks of a resumed session against the knowledge base it is resumed with: every
answer names a question, checklist, subject field or piece of equipment this knowledge base
asks, a checklist lists only its own questions, a pick names an answered checklist and a side
goes only with a sided question. A session that fails gets a one-line SessionError."""

from __future__ import annotations

from ..knowledge import KnowledgeBase
from .answers import SIDES
from .questionnaire import AGE, SUBJECT, Questionnaire, checklist_members
from .session import Session, SessionError


def check_session(kb: KnowledgeBase, questionnaire: Questionnaire, session: Session) -> None:
    """SessionError (one line) for the first answer this knowledge base cannot take."""
    checklists = {i.key for i in session.items if i.is_checklist}
    for item in session.items:
        if item.key == AGE:
            continue
        if item.key.startswith(SUBJECT) and not item.is_equipment:
            if item.key not in questionnaire.topics and \
                    item.key.removeprefix(SUBJECT) not in kb.refinements:
                raise SessionError(f"{session.path}: answers {item.key}, which this "
                                   f"knowledge base ({kb.version}) does not ask")
            continue
        if item.is_equipment:
            if not kb.equipment:
                raise SessionError(f"{session.path}: answers the equipment question, which "
                                   f"this knowledge base ({kb.version}) does not ask")
            stray = [k for k in item.items if k not in kb.equipment]
            if stray:
                raise SessionError(f"{session.path}: lists the equipment {stray[0]!r}, "
                                   f"which this knowledge base ({kb.version}) does not "
                                   "know")
            continue
        if item.is_checklist:
            members = checklist_members(kb, item.key)
            name = item.key.removeprefix("checklist.")
            if not members:
                raise SessionError(f"{session.path}: answers the checklist {name!r}, which "
                                   f"this knowledge base ({kb.version}) does not know")
            stray = [k for k in item.items if k not in members]
            if stray:
                raise SessionError(f"{session.path}: the checklist {name} lists {stray[0]}, "
                                   "which is not in it")
            continue
        if item.picked and item.picked not in checklists:
            raise SessionError(f"{session.path}: {item.key} is picked in a checklist that "
                               "is not answered")
        question = kb.questions.get(item.key)
        if question is None:
            raise SessionError(f"{session.path}: answers {item.key!r}, which this knowledge "
                               f"base ({kb.version}) does not know")
        if item.value in SIDES and not question.sided:
            raise SessionError(f"{session.path}: answers {item.key} with a side, but it has "
                               "none")

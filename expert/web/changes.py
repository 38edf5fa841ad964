"""Changing an earlier answer in the browser (``change N`` at the terminal): the question of
answer N as a form, and the consultant's ``change``, after which everything is worked out again
and the consultation carries on from its pending question (or ends)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..consultation import numbering
from ..consultation.answers import BadAnswer
from ..consultation.consultant import Consultant, Prompt
from . import questions
from .pages import (
    checked_form,
    consultant_of,
    consulting,
    current_of,
    onward,
    question_page,
    redirect,
)

if TYPE_CHECKING:
    from .app import Service


def _prompt(c: Consultant, number: int) -> tuple[int, Prompt]:
    """The index of answer ``number`` and its question as a prompt (404 when there is no such
    answer, or its question is not one of this mode's)."""
    items = c.session.items
    at = numbering.position(items, number)
    topic = None if at is None else c.questionnaire.topics.get(items[at].key)
    if at is None or topic is None:
        raise HTTPException(404, f"there is no answer {number} to change")
    item = items[at]
    listed = tuple(c.kb.equipment) if item.is_equipment else item.items
    return at, Prompt(topic, "answer", number, listed)


async def change_form(service: Service, env: Any, request: Request) -> Response:
    ident, number = request.path_params["client"], request.path_params["number"]

    def show() -> Response:
        found, c = consultant_of(service, ident)
        if c is None:
            return redirect(f"/clients/{ident}")
        at, prompt = _prompt(c, number)
        now = questions.answer_words(c, c.session.items[at])
        return question_page(env, request, found, c, prompt=prompt, now=now)
    return await consulting(service, env, request, show)


async def change(service: Service, env: Any, request: Request) -> Response:
    ident, number = request.path_params["client"], request.path_params["number"]
    form = await checked_form(request)
    picks = [p for p in form.getlist("pick") if isinstance(p, str)]

    def record() -> Response:
        loaded = current_of(service, env, request, ident, form)
        if isinstance(loaded, Response):
            return loaded
        found, c = loaded
        at, prompt = _prompt(c, number)
        now = questions.answer_words(c, c.session.items[at])
        try:
            reply = questions.reply(c, prompt, form, picks)
        except BadAnswer as exc:
            return question_page(env, request, found, c, 422, str(exc), prompt=prompt, now=now)
        c.change(at + 1, reply)
        return onward(service, found, c, f"?changed={number}")
    return await consulting(service, env, request, record)

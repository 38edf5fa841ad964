"""The interactive consultation behind ``imbalance consult``: a MYCIN-style dialogue that asks
only the questions whose answer can still change a finding or the referral.

Modules, each named after what it owns:

- ``questionnaire``: what can be asked in a mode, in which order, under which heading, and
  which questions are asked through a checklist ("do any of these apply?"; all from the knowledge
  base's data);
- ``relevance``: which questions can still matter given the answers so far, and through which
  rules (the knowledge base's rule index);
- ``agenda``: a small experta engine that decides what to ask next (salience strata);
- ``answers`` and ``commands``: reading forgiving input;
- ``session``: the state of one consultation, saved atomically as JSON after every answer;
  ``lock``: one consultation per session file; ``safekeeping``: another file when the session's
  cannot be written;
- ``impact``: what a noticeable change of the findings is (what relevance counts);
- ``standing``: what the answers so far work out to (the case, the outcome, the questions
  still open and which can still matter), cached until they change;
- ``consultant``: answers in, the next question and the findings out (no terminal I/O);
- ``reasons``: why a question is asked, and how a finding was reached, in words;
- ``casefile``: the consultation written as a case file for ``imbalance run``;
- ``screen`` and ``dialogue``: the terminal, and the loop with its commands; ``forms``: the
  choices a prompt offers and the reader of its answer; ``revision``: ``change N`` at the
  terminal.
"""

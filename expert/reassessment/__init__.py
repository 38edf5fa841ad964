"""Reassessment: two assessments of one person compared (``imbalance compare``), the programme
progressed from the last block, the plain-words sheet of what changed, and a client's progress
over time (``imbalance client report``).

Modules: ``references`` (case files and stored assessments named on the command line),
``comparison`` (findings resolved, persisting and new, the answers that changed and what each
explains, the progressed programme), ``sheet`` (what changed in the person's words),
``rendering`` (text, Markdown and HTML), ``timeline`` (the progress report and its chart).
"""

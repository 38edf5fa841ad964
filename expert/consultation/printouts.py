"""The documents a consultation ends with: the client sheet (and, in trainer mode, the trainer's
report) written to a file, printed by ``expert.program.documents.render`` from the same report
``imbalance run`` prints, so the consultation and ``run`` on its case file give the same sheet.

The name says the format: ``.pdf`` PDF, ``.html`` (or ``.htm``) HTML, ``.md`` Markdown. The file
is written as every output is (``expert.output``: atomically, links followed, clear errors),
never over the session's own file, the case file saved from it or a knowledge-base file.
"""

from __future__ import annotations

from pathlib import Path

from ..output import same_file
from .consultant import Consultant

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "markdown"}
SUFFIX = {"client": "sheet", "trainer": "report"}   # the default name's ending, per audience


class PrintoutError(ValueError):
    """A name the document cannot be written under; the message says what to do."""


def default_path(consultant: Consultant, audience: str = "client") -> Path:
    """Next to the case file saved from the consultation (or the session file), with its name
    and ``-sheet.pdf`` (``-report.pdf`` for the trainer's report)."""
    session = consultant.session
    base = Path(session.case_file) if session.case_file else session.path
    return base.with_name(f"{base.stem}-{SUFFIX[audience]}.pdf")


def check_path(consultant: Consultant, path: Path, keep: list[Path] | None = None) -> str:
    """The format a document named ``path`` is written in. PrintoutError for a name that says
    no document format or names a file of this consultation; ``expert.output.OutputError``
    for one that cannot be written (a missing folder, a knowledge-base file, ...)."""
    from ..output import check, refuse_inputs

    session = consultant.session
    if same_file(path, session.path):
        raise PrintoutError(f"{path} is this consultation's session file: writing the sheet "
                            "there would destroy the session; choose another name (such as "
                            f"{default_path(consultant).name})")
    if session.case_file and same_file(path, Path(session.case_file)):
        raise PrintoutError(f"{path} is the case file saved from this consultation: writing "
                            "the sheet there would destroy it; choose another name (such as "
                            f"{default_path(consultant).name})")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PrintoutError(f"{path}: end the name in .pdf, .html or .md to say the format")
    refuse_inputs(path, [*(keep or []), *_knowledge_files()])
    check(path)
    return fmt


def save_document(consultant: Consultant, path: Path, audience: str = "client",
                  keep: list[Path] | None = None) -> Path:
    """Write the consultation's client sheet (or trainer's report) to ``path`` in the format
    its name says. PrintoutError or OutputError for a name it cannot take; ImportError when a
    PDF is asked for and WeasyPrint is not installed. ``keep``: files not to write over."""
    from ..escaping import printable
    from ..output import write_atomic, write_atomic_bytes
    from ..program.documents import render

    fmt = check_path(consultant, path, keep)
    document = render(consultant.kb, consultant.case().answers, consultant.report(), fmt,
                      audience)
    if isinstance(document, bytes):
        write_atomic_bytes(path, document)
    else:
        write_atomic(path, printable(document))
    return path


def _knowledge_files() -> list[Path]:
    """The knowledge base's files when run from the command line (never written over)."""
    from ..cli.printing import knowledge_files
    return knowledge_files()

"""``python -m expert`` runs the ``imbalance`` command line."""

from .cli import main

main(prog_name="imbalance")

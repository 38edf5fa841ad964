"""Alembic migrations of the store, configured in code (no alembic.ini): ``env.py`` runs on the
connection the store hands it; ``versions/`` holds one file per schema revision."""

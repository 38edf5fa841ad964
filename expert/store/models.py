"""The tables, as SQLAlchemy 2 typed ORM classes. The schema itself is created and changed only
by the Alembic migrations in ``migrations/versions``; these classes must match the head
revision (a test compares them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAME_LENGTH = 200
SEX_LENGTH = 20
MODE_LENGTH = 20
VERSION_LENGTH = 50


class Base(DeclarativeBase):
    pass


class ClientRow(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(SEX_LENGTH))
    notes: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[dt.datetime] = mapped_column(DateTime)


class AssessmentRow(Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("client_id", "number", name="uq_assessment_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(MODE_LENGTH))
    case_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    program: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # what the history table shows, kept beside the report so a long history reads fast
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    kb_version: Mapped[str] = mapped_column(String(VERSION_LENGTH))
    tool_version: Mapped[str] = mapped_column(String(VERSION_LENGTH))
    created: Mapped[dt.datetime] = mapped_column(DateTime)


class ConsultationRow(Base):
    __tablename__ = "consultations"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           primary_key=True)
    session: Mapped[dict[str, Any]] = mapped_column(JSON)
    started: Mapped[dt.datetime] = mapped_column(DateTime)
    updated: Mapped[dt.datetime] = mapped_column(DateTime)


Index("ix_assessments_client", AssessmentRow.client_id)

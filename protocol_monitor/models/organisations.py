"""The organisations call-outs belong to: local authorities and police forces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db

if TYPE_CHECKING:
    from .homes import Home


class Authority(db.Model):
    """A local authority, by ONS GSS code: host of homes and placer of children."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    homes: Mapped[list[Home]] = relationship(back_populates="host_authority")

    def __str__(self) -> str:
        return self.name


class PoliceForce(db.Model):
    __tablename__ = "police_forces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    homes: Mapped[list[Home]] = relationship(back_populates="police_force")

    def __str__(self) -> str:
        return self.name

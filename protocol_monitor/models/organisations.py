"""The organisations call-outs belong to: local authorities and police forces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db
from ..i18n import local_name

if TYPE_CHECKING:
    from .homes import Home


class Authority(db.Model):
    """A local authority, by ONS GSS code: host of homes and placer of children."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The authority's name in Welsh (Welsh authorities: Cyngor Bwrdeistref Sirol Pen-y-bont ar
    #: Ogwr), shown on Welsh pages and in Welsh messages in place of ``name``.
    name_cy: Mapped[str | None] = mapped_column(String(120))

    homes: Mapped[list[Home]] = relationship(back_populates="host_authority")

    @property
    def local_name(self) -> str:
        """The name in the language of the page or message being made."""
        return local_name(self.name, self.name_cy)

    def __str__(self) -> str:
        return self.local_name


class PoliceForce(db.Model):
    __tablename__ = "police_forces"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    homes: Mapped[list[Home]] = relationship(back_populates="police_force")

    def __str__(self) -> str:
        return self.name

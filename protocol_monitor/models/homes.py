"""Children's homes and other residential settings: where call-outs happen."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Integer, String, and_, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db
from ..rules.summary import open_during
from ..vocab import SettingType
from .checks import vocab_check
from .organisations import Authority, PoliceForce

if TYPE_CHECKING:
    from .users import User


class Home(db.Model):
    """A children's home or other residential setting, by Ofsted URN."""

    __tablename__ = "homes"
    __table_args__ = (
        vocab_check("setting_type", SettingType, nullable=False),
        CheckConstraint("registered_places >= 0", name="registered_places_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    urn: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    provider: Mapped[str] = mapped_column(String(160))
    host_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    police_force_id: Mapped[int] = mapped_column(ForeignKey("police_forces.id"), index=True)
    registered_places: Mapped[int] = mapped_column(Integer)
    setting_type: Mapped[str] = mapped_column(String(40))
    opened_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    allocated_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    host_authority: Mapped[Authority] = relationship(back_populates="homes")
    police_force: Mapped[PoliceForce] = relationship(back_populates="homes")
    allocated_officer: Mapped[User | None] = relationship(foreign_keys=[allocated_officer_id])

    @property
    def setting_type_label(self) -> str:
        return SettingType(self.setting_type).label

    @hybrid_method
    def open_during(self, first_day: date, last_day: date) -> bool:
        """Open on any day of [first_day, last_day]: in scope for that period (domain.md §8)."""
        return open_during(self.opened_on, self.closed_on, first_day, last_day)

    @open_during.inplace.expression
    @classmethod
    def _open_during_sql(cls, first_day: date, last_day: date) -> ColumnElement[bool]:
        """The same rule in SQL (tests/integration/test_summary_figures.py checks they agree)."""
        return and_(
            or_(cls.opened_on.is_(None), cls.opened_on <= last_day),
            or_(cls.closed_on.is_(None), cls.closed_on >= first_day),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

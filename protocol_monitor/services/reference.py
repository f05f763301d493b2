"""Reference data an administrator keeps: local authorities and police forces, by ONS code."""

from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..db import db
from ..i18n import N_, _, translate
from ..models import Authority, PoliceForce, User
from ..rules.home_import import check_code
from . import ServiceError, get_or_not_found

#: Each kind's record type, and its clash message (read with i18n.translate).
_KINDS: dict[type, tuple[str, str]] = {
    Authority: ("authority", N_("An authority with the code %(code)s already exists")),
    PoliceForce: ("police_force", N_("A police force with the code %(code)s already exists")),
}


def authorities() -> list[Authority]:
    return list(db.session.scalars(select(Authority).order_by(Authority.name)))


def authority_names() -> dict[str, str]:
    """Every authority's name by its ONS code (for labelling figures kept by code)."""
    return dict(db.session.execute(select(Authority.code, Authority.name)).all())


def forces() -> list[PoliceForce]:
    return list(db.session.scalars(select(PoliceForce).order_by(PoliceForce.name)))


def get_authority(authority_id: int) -> Authority:
    return _get(Authority, authority_id)


def get_force(force_id: int) -> PoliceForce:
    return _get(PoliceForce, force_id)


def add_authority(code: str, name: str, actor: User | None = None) -> Authority:
    """Add a local authority by its GSS code."""
    return _save(Authority(), code, name, actor)


def add_force(code: str, name: str, actor: User | None = None) -> PoliceForce:
    """Add a police force by the ONS code of its area."""
    return _save(PoliceForce(), code, name, actor)


def update_authority(
    authority_id: int, code: str, name: str, actor: User | None = None
) -> Authority:
    return _save(get_authority(authority_id), code, name, actor)


def update_force(force_id: int, code: str, name: str, actor: User | None = None) -> PoliceForce:
    return _save(get_force(force_id), code, name, actor)


def _get(model: type, item_id: int):
    return get_or_not_found(model, item_id, _KINDS[model][0])


def _save(item: Authority | PoliceForce, code: str, name: str, actor: User | None):
    model = type(item)
    record_type, clash_message = _KINDS[model]
    code = (code or "").strip().upper()
    name = " ".join((name or "").split())
    if not code:
        raise ServiceError(_("Enter the code, like E06000059"), field="code")
    if check_code(code):
        raise ServiceError(
            _("Code must be an ONS code: a letter E, W, S or N and 8 digits, like E06000059"),
            field="code",
        )
    if not name:
        raise ServiceError(_("Enter the name"), field="name")
    if len(name) > 120:
        raise ServiceError(_("Name must be 120 characters or fewer"), field="name")
    clash = db.session.scalar(select(model.id).where(model.code == code, model.id != item.id))
    if clash is not None:
        raise ServiceError(translate(clash_message) % {"code": code}, field="code")
    before = {"code": item.code, "name": item.name}
    item.code, item.name = code, name
    if item.id is None:
        db.session.add(item)
        db.session.flush()
        audit.record(
            f"{record_type}_created",
            record_type,
            item.id,
            user=actor,
            changes={"code": code, "name": name},
        )
    else:
        changes = {k: [before[k], v] for k, v in (("code", code), ("name", name)) if before[k] != v}
        if not changes:
            return item
        audit.record(f"{record_type}_changed", record_type, item.id, user=actor, changes=changes)
    db.session.commit()
    return item

"""Forms of the organisation sign-in pages: input shape and GOV.UK wording only.

The services check what needs the database or the network (names in use, the issuer's discovery
document, the records a role is linked to) and the views put their problems on these fields.
"""

from __future__ import annotations

from wtforms import PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..i18n import _l
from .admin import (
    PersonForm,
    UserLinksMixin,
    _authorities,
    _homes,
    _police_force,
    _role,
)
from .base import GovForm, strip

OPTIONS = [
    ("enabled", _l("People can sign in with this organisation’s account")),
    ("password_off", _l("Turn off password sign-in for everyone this organisation manages")),
    (
        "require_mfa",
        _l("Refuse a sign-in unless the token says multi-factor authentication was used"),
    ),
]


class ProviderForm(GovForm):
    name = StringField(
        _l("Organisation name"), filters=[strip], validators=[InputRequired(_l("Enter the name"))]
    )
    issuer = StringField(_l("Issuer URL"), filters=[strip])
    client_id = StringField(_l("Application (client) ID"), filters=[strip])
    client_secret = PasswordField(_l("Client secret"), validators=[Length(max=500)])
    tenant_ids = TextAreaField(
        _l("Allowed tenant IDs"), filters=[strip], validators=[Length(max=4000)]
    )
    options = SelectMultipleField(_l("Settings"), choices=OPTIONS, validate_choice=True)

    def option(self, name: str) -> bool:
        return name in (self.options.data or [])


class GroupMappingForm(UserLinksMixin, GovForm):
    group_id = StringField(
        _l("Group object ID"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the group’s ID"))],
    )
    label = StringField(
        _l("Group name"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the group’s name")), Length(max=120)],
    )
    role = _role()
    homes = _homes()
    authorities = _authorities()
    police_force = _police_force()


class InviteForm(PersonForm):
    """A person invited to sign in with the organisation's account (no password here)."""

"""Forms of the organisation sign-in pages: input shape and GOV.UK wording only.

The services check what needs the database or the network (names in use, the issuer's discovery
document, the records a role is linked to) and the views put their problems on these fields.
"""

from __future__ import annotations

from wtforms import PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..identity.accounts import normalise_email
from ..services import ServiceError
from .admin import (
    UserLinksMixin,
    _authorities,
    _display_name,
    _homes,
    _police_force,
    _role,
)
from .base import GovForm
from .base import strip as _strip

OPTIONS = [
    ("enabled", "People can sign in with this organisation’s account"),
    ("password_off", "Turn off password sign-in for everyone this organisation manages"),
    ("require_mfa", "Refuse a sign-in unless the token says multi-factor authentication was used"),
]


class ProviderForm(GovForm):
    name = StringField(
        "Organisation name", filters=[_strip], validators=[InputRequired("Enter the name")]
    )
    issuer = StringField("Issuer URL", filters=[_strip])
    client_id = StringField("Application (client) ID", filters=[_strip])
    client_secret = PasswordField("Client secret", validators=[Length(max=500)])
    tenant_ids = TextAreaField(
        "Allowed tenant IDs", filters=[_strip], validators=[Length(max=4000)]
    )
    options = SelectMultipleField("Settings", choices=OPTIONS, validate_choice=True)

    def option(self, name: str) -> bool:
        return name in (self.options.data or [])


class GroupMappingForm(UserLinksMixin, GovForm):
    group_id = StringField(
        "Group object ID", filters=[_strip], validators=[InputRequired("Enter the group’s ID")]
    )
    label = StringField(
        "Group name",
        filters=[_strip],
        validators=[InputRequired("Enter the group’s name"), Length(max=120)],
    )
    role = _role()
    homes = _homes()
    authorities = _authorities()
    police_force = _police_force()


class InviteForm(UserLinksMixin, GovForm):
    email = StringField(
        "Email address",
        filters=[_strip],
        validators=[InputRequired("Enter an email address"), Length(max=254)],
    )
    display_name = _display_name()
    role = _role()
    homes = _homes()
    authorities = _authorities()
    police_force = _police_force()

    def validate_email(self, field) -> None:
        try:
            normalise_email(field.data or "")
        except ServiceError:
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.org"
            ) from None

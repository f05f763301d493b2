"""Forms of the administration pages: input shape and GOV.UK wording only, no database queries.

Homes, authorities and police forces are checked by the services (the same rules as the CSV
import), whose problems the views put on the fields here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from ..i18n import LANGUAGES, _, _l
from ..identity.accounts import normalise_email
from ..rules import home_import
from ..services import ServiceError
from ..vocab import Role, SettingType
from .base import DateMessages, GovForm, add_error, date_from_parts, record_id, strip, upper


class ReferenceForm(GovForm):
    """An authority (GSS code) or police force (ONS police force area code) and its name."""

    code = StringField(_l("Code"), filters=[upper])
    name = StringField(_l("Name"), filters=[strip])


def _date_part(label: Any, date_name: str, part: str) -> StringField:
    """One box of a GOV.UK date input, with the id the Design System gives it."""
    return StringField(label, id=f"{date_name}-{part}", filters=[strip])


class AdminHomeForm(GovForm):
    urn = StringField(_l("Ofsted URN"), filters=[upper])
    name = StringField(_l("Name"), filters=[strip])
    provider = StringField(_l("Provider"), filters=[strip])
    host_authority_code = SelectField(_l("Host authority"), validate_choice=False)
    police_force_code = SelectField(_l("Police force"), validate_choice=False)
    registered_places = StringField(_l("Registered places"), filters=[strip])
    setting_type = RadioField(
        _l("Setting type"), choices=SettingType.choices(), validate_choice=False
    )
    opened_on_day = _date_part(_l("Day"), "opened_on", "day")
    opened_on_month = _date_part(_l("Month"), "opened_on", "month")
    opened_on_year = _date_part(_l("Year"), "opened_on", "year")
    closed_on_day = _date_part(_l("Day"), "closed_on", "day")
    closed_on_month = _date_part(_l("Month"), "closed_on", "month")
    closed_on_year = _date_part(_l("Year"), "closed_on", "year")
    allocated_officer_id = SelectField(
        _l("Allocated police officer (optional)"), validate_choice=False
    )

    #: A date's error is shown on its day box, which the error summary links to.
    anchors = {"opened_on_day": "opened_on-day", "closed_on_day": "closed_on-day"}
    #: What each date is called in its messages.
    DATES = {
        "opened_on": DateMessages(
            day=_l("Date the home opened must include a day"),
            month=_l("Date the home opened must include a month"),
            year=_l("Date the home opened must include a year"),
            day_and_month=_l("Date the home opened must include a day and a month"),
            day_and_year=_l("Date the home opened must include a day and a year"),
            month_and_year=_l("Date the home opened must include a month and a year"),
            real=_l("Date the home opened must be a real date, like 27 3 2019"),
        ),
        "closed_on": DateMessages(
            day=_l("Date the home closed must include a day"),
            month=_l("Date the home closed must include a month"),
            year=_l("Date the home closed must include a year"),
            day_and_month=_l("Date the home closed must include a day and a month"),
            day_and_year=_l("Date the home closed must include a day and a year"),
            month_and_year=_l("Date the home closed must include a month and a year"),
            real=_l("Date the home closed must be a real date, like 27 3 2019"),
        ),
    }

    def validate_host_authority_code(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("Select the authority where the home is"))

    def validate_police_force_code(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("Select the home's police force"))

    def validate_setting_type(self, field: Field) -> None:
        if field.data not in SettingType.slugs():
            raise ValidationError(_("Select the kind of setting"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        self._dates: dict[str, date | None] = {}
        for name, what in self.DATES.items():
            parts = [self[f"{name}_{part}"].data for part in ("day", "month", "year")]
            try:
                self._dates[name] = date_from_parts(*parts, what)
            except ValueError as error:
                add_error(self[f"{name}_day"], str(error))
                ok = False
                continue
            if name == "opened_on" and self._dates[name] is None:
                add_error(self["opened_on_day"], _("Enter the date the home opened"))
                ok = False
        return ok

    def set_dates(self, opened_on: date | None, closed_on: date | None) -> None:
        for name, value in (("opened_on", opened_on), ("closed_on", closed_on)):
            for part in ("day", "month", "year"):
                self[f"{name}_{part}"].data = str(getattr(value, part)) if value else ""

    def raw(self) -> dict[str, str]:
        """The text of each home field, as the import rules check it (dates as YYYY-MM-DD)."""
        values = {
            name: self[name].data or "" for name in home_import.COLUMNS if name in self._fields
        }
        dates = getattr(self, "_dates", {})
        for name in self.DATES:
            values[name] = dates[name].isoformat() if dates.get(name) else ""
        return values

    def officer_id(self) -> int | None:
        value = self.allocated_officer_id.data
        if not value:
            return None
        try:
            return record_id(value)
        except ValueError:
            return -1  # refused by the service as not a police officer of the force

    def add_problems(self, problems: list[Any]) -> None:
        """The service's problems (the import's rules) on the fields they are about."""
        for problem in problems:
            name = f"{problem.column}_day" if problem.column in self.DATES else problem.column
            field = self._fields.get(name, self.urn)
            if not field.errors:  # the form's own wording first, one message a field
                add_error(field, problem.message)


def _display_name() -> StringField:
    return StringField(_l("Name"), filters=[strip], validators=[Length(max=120)])


def _role() -> RadioField:
    return RadioField(_l("Role"), choices=Role.choices(), validate_choice=False)


def _language() -> RadioField:
    """The language of the person's pages and emails; each named in itself, as on the switch."""
    return RadioField(
        _l("Language"),
        choices=list(LANGUAGES.items()),
        default="en",
        description=_l("The language of their pages and of the emails the service sends them"),
        validate_choice=False,
    )


def _homes() -> SelectMultipleField:
    return SelectMultipleField(
        _l("Homes"), description=_l("For residential providers"), validate_choice=False
    )


def _authorities() -> SelectMultipleField:
    return SelectMultipleField(
        _l("Authorities"),
        description=_l(
            "For local authority and multi-agency group users; optional for administrators"
        ),
        validate_choice=False,
    )


def _police_force() -> SelectField:
    return SelectField(
        _l("Police force"), description=_l("For police users"), validate_choice=False
    )


class UserLinksMixin:
    """Checks of a role and the links that scope it: homes, authorities, force (domain.md §2)."""

    def validate_role(self, field: Field) -> None:
        if field.data not in Role.slugs():
            raise ValidationError(_("Select a role"))

    def validate_homes(self, field: Field) -> None:
        if self.role.data == Role.PROVIDER and not field.data:  # type: ignore[attr-defined]
            raise ValidationError(_("Select at least one home for a residential provider"))

    def validate_authorities(self, field: Field) -> None:
        role = self.role.data  # type: ignore[attr-defined]
        if role in (Role.AUTHORITY, Role.GROUP) and not field.data:
            raise ValidationError(
                _("Select at least one authority for a %(role)s user", role=Role(role).label)
            )

    def validate_language(self, field: Field) -> None:
        if field.data not in LANGUAGES:
            raise ValidationError(_("Select the language of the person's pages and emails"))

    def validate_police_force(self, field: Field) -> None:
        if self.role.data == Role.POLICE and not field.data:  # type: ignore[attr-defined]
            raise ValidationError(_("Select the police user's force"))


class PersonForm(UserLinksMixin, GovForm):
    """A new person: email address, name, role and the links that scope it (an administrator
    adds a user; an organisation's administrator invites one)."""

    email = StringField(
        _l("Email address"),
        filters=[strip],
        validators=[InputRequired(_l("Enter an email address")), Length(max=254)],
    )
    display_name = _display_name()
    role = _role()
    homes = _homes()
    authorities = _authorities()
    police_force = _police_force()
    language = _language()

    def validate_email(self, field: Field) -> None:
        try:
            normalise_email(field.data or "")
        except ServiceError:
            raise ValidationError(
                _("Enter an email address in the correct format, like name@example.org")
            ) from None


class EditUserForm(UserLinksMixin, GovForm):
    display_name = _display_name()
    role = _role()
    homes = _homes()
    authorities = _authorities()
    police_force = _police_force()
    language = _language()


class ActionForm(GovForm):
    """A button that changes something (unlock, deactivate): a CSRF token and nothing else."""


class ImportHomesForm(GovForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Select a CSV file of homes"))])

    #: Problems listed in the error summary; the table on the page lists every one.
    SUMMARY_LIMIT = 20

    def error_list(self) -> list[dict[str, str]]:
        """The problems in the file, each linked to the file input (not only the first)."""
        messages = self.file.errors
        items = [{"text": m, "href": "#file"} for m in messages[: self.SUMMARY_LIMIT]]
        if len(messages) > self.SUMMARY_LIMIT:
            more = len(messages) - self.SUMMARY_LIMIT
            items.append(
                {
                    "text": _("and %(more)s more, listed below", more=more),
                    "href": "#import-problems",
                }
            )
        return items

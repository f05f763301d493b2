"""Forms for the audit log and subject access pages: input shape and GOV.UK wording only."""

from __future__ import annotations

from wtforms import Field, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..i18n import _l
from ..rules.time import parse_day
from .base import MAX_RECORD_ID, FilterForm, GovForm, strip, upper
from .callouts import validate_child_reference


class AuditFilterForm(FilterForm):
    user = StringField(
        _l("Person"),
        filters=[strip],
        validators=[Length(max=254, message=_l("Person must be 254 characters or fewer"))],
    )
    record_type = SelectField(_l("Record"), validate_choice=False)
    record_id = StringField(
        _l("Record number"),
        filters=[strip],
        validators=[
            Length(
                max=12,
                message=_l("Record number must be %(largest)s or less", largest=MAX_RECORD_ID),
            )
        ],
    )
    action = SelectField(_l("Kind of event"), validate_choice=False)
    date_from = StringField(
        _l("From (UK date)"),
        filters=[strip],
        validators=[Length(max=10, message=_l("From must be a real date, like 27/3/2026"))],
    )
    date_to = StringField(
        _l("To (UK date)"),
        filters=[strip],
        validators=[Length(max=10, message=_l("To must be a real date, like 27/3/2026"))],
    )

    def validate_record_id(self, field: Field) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Record number must be a whole number, like 1042"))
        # Length first: int() of over 4,300 digits raises ValueError (a 500), and the Length
        # validator above only adds its error, it does not stop this one running.
        if field.data and (len(field.data) > 10 or int(field.data) > MAX_RECORD_ID):
            raise ValidationError(
                _l("Record number must be %(largest)s or less", largest=MAX_RECORD_ID)
            )

    def validate_date_from(self, field: Field) -> None:
        try:
            parse_day(field.data, uk=True)
        except ValueError:
            raise ValidationError(_l("From must be a real date, like 27/3/2026")) from None

    def validate_date_to(self, field: Field) -> None:
        try:
            end = parse_day(field.data, uk=True)
        except ValueError:
            raise ValidationError(_l("To must be a real date, like 27/3/2026")) from None
        try:
            start = parse_day(self.date_from.data, uk=True)
        except ValueError:
            return  # reported under From
        if start and end and end < start:
            raise ValidationError(_l("To must be the same as or after From"))


class SubjectAccessForm(GovForm):
    child_reference = StringField(
        _l("Child reference"),
        filters=[upper],
        validators=[
            InputRequired(_l("Enter the child reference")),
            Length(max=40, message=_l("Child reference must be 40 characters or fewer")),
        ],
    )
    placing_authority = SelectField(_l("Placing authority"), validate_choice=False)
    format = RadioField(
        _l("How do you want it?"),
        choices=[
            ("page", _l("Read it here, to print or save as a PDF")),
            ("docx", _l("A Word document")),
            ("csv", _l("CSV: every field as stored, for the administrator")),
            ("json", _l("JSON: every field as stored, for other systems")),
        ],
        validate_choice=False,
    )

    def validate_child_reference(self, field: Field) -> None:
        problem = validate_child_reference(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_placing_authority(self, field: Field) -> None:
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError(_l("Select the authority that placed the child"))

    def validate_format(self, field: Field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError(_l("Select how you want the records"))

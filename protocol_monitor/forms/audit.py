"""Forms for the audit log and subject access pages: input shape and GOV.UK wording only."""

from __future__ import annotations

from wtforms import Field, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..rules.time import parse_day
from .base import MAX_RECORD_ID, FilterForm, GovForm, strip, upper
from .callouts import validate_child_reference


class AuditFilterForm(FilterForm):
    user = StringField("Person", filters=[strip], validators=[Length(max=254)])
    record_type = SelectField("Record", validate_choice=False)
    record_id = StringField("Record number", filters=[strip], validators=[Length(max=12)])
    action = SelectField("Kind of event", validate_choice=False)
    date_from = StringField("From (UK date)", filters=[strip], validators=[Length(max=10)])
    date_to = StringField("To (UK date)", filters=[strip], validators=[Length(max=10)])

    def validate_record_id(self, field: Field) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError("Record number must be a whole number, like 1042")
        # Length first: int() of over 4,300 digits raises ValueError (a 500), and the Length
        # validator above only adds its error, it does not stop this one running.
        if field.data and (len(field.data) > 10 or int(field.data) > MAX_RECORD_ID):
            raise ValidationError(f"Record number must be {MAX_RECORD_ID} or less")

    def validate_date_from(self, field: Field) -> None:
        try:
            parse_day(field.data, uk=True)
        except ValueError:
            raise ValidationError("From must be a real date, like 27/3/2026") from None

    def validate_date_to(self, field: Field) -> None:
        try:
            end = parse_day(field.data, uk=True)
        except ValueError:
            raise ValidationError("To must be a real date, like 27/3/2026") from None
        try:
            start = parse_day(self.date_from.data, uk=True)
        except ValueError:
            return  # reported under From
        if start and end and end < start:
            raise ValidationError("To must be the same as or after From")


class SubjectAccessForm(GovForm):
    child_reference = StringField(
        "Child reference",
        filters=[upper],
        validators=[InputRequired("Enter the child reference"), Length(max=40)],
    )
    placing_authority = SelectField("Placing authority", validate_choice=False)
    format = RadioField(
        "How do you want it?",
        choices=[
            ("page", "Read it here, to print or save as a PDF"),
            ("docx", "A Word document"),
            ("csv", "CSV: every field as stored, for the administrator"),
            ("json", "JSON: every field as stored, for other systems"),
        ],
        validate_choice=False,
    )

    def validate_child_reference(self, field: Field) -> None:
        problem = validate_child_reference(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_placing_authority(self, field: Field) -> None:
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError("Select the authority that placed the child")

    def validate_format(self, field: Field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Select how you want the records")

"""Forms for police records and call-out imports: input shape and GOV.UK wording only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_wtf.file import FileField
from wtforms import Field, RadioField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..i18n import _, _l
from ..vocab import EXCLUDED_CATEGORIES, Category, Outcome
from .base import YES_NO, GovForm, upper, yes_no_to_bool
from .callouts import (
    HOME_LABEL,
    POLICE_REFERENCE_PATTERN,
    CorrectionReasonMixin,
    OccurredAtMixin,
    validate_child_reference,
)


class PoliceOutcomeForm(GovForm):
    """What police may update on their record later: arrest and outcome."""

    arrested = RadioField(_l("Was the child arrested?"), choices=YES_NO, validate_choice=False)
    outcome = RadioField(_l("Outcome"), choices=Outcome.choices(), validate_choice=False)

    def validate_arrested(self, field: Field) -> None:
        if field.data not in ("yes", "no"):
            raise ValidationError(_("Select whether the child was arrested"))

    def validate_outcome(self, field: Field) -> None:
        if field.data not in Outcome.slugs():
            raise ValidationError(_("Select the outcome, or ‘Not yet known’ if it is pending"))

    def cleaned(self) -> dict[str, Any]:
        return {"arrested": yes_no_to_bool(self.arrested.data), "outcome": self.outcome.data}


class PoliceCorrectionForm(CorrectionReasonMixin, PoliceOutcomeForm):
    """The police update their record's arrest or outcome, saying why."""

    def cleaned(self) -> dict[str, Any]:
        return {**super().cleaned(), "reason": self.reason.data}


class PoliceRecordForm(OccurredAtMixin, PoliceOutcomeForm):
    """A police record of an attendance at a home."""

    police_reference = StringField(
        _l("Police reference"),
        filters=[upper],
        validators=[Length(max=40, message=_l("Police reference must be 40 characters or fewer"))],
    )
    home_id = SelectField(HOME_LABEL, coerce=str, validate_choice=False)
    child_reference = StringField(
        _l("Child reference (if known)"),
        filters=[upper],
        validators=[
            Optional(),
            Length(max=40, message=_l("Child reference must be 40 characters or fewer")),
        ],
    )
    placing_authority = SelectField(_l("Placing authority (if known)"), validate_choice=False)
    category = RadioField(
        _l("What was the call-out about?"), choices=Category.choices(), validate_choice=False
    )
    police_attended = RadioField(
        _l("Did the police attend?"), choices=YES_NO, validate_choice=False
    )

    def validate_police_reference(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("Enter the police reference"))
        if not POLICE_REFERENCE_PATTERN.match(field.data):
            raise ValidationError(
                _("Police reference must be letters, numbers, hyphens or slashes, with no spaces")
            )

    def validate_home_id(self, field: Field) -> None:
        if field.data not in {value for value, _ in field.choices if value}:
            raise ValidationError(_("Select the home"))

    def validate_child_reference(self, field: Field) -> None:
        problem = validate_child_reference(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_placing_authority(self, field: Field) -> None:
        if field.data and field.data not in {v for v, _ in field.choices if v}:
            raise ValidationError(_("Select the authority that placed the child"))

    def validate_category(self, field: Field) -> None:
        if field.data not in Category.slugs():
            raise ValidationError(_("Select what the call-out was about"))

    def validate_police_attended(self, field: Field) -> None:
        if field.data not in ("yes", "no"):
            raise ValidationError(_("Select whether the police attended"))

    #: The categories that take the short path (domain.md §4), and what it leaves out: a
    #: missing or absent person's record has no arrest or outcome to give. Hidden in the
    #: browser (static/short-path.js); sent anyway (no JavaScript), not checked and not kept.
    excluded_categories = tuple(sorted(EXCLUDED_CATEGORIES))
    NOT_FOR_EXCLUDED = ("arrested", "outcome")

    def is_excluded(self) -> bool:
        return self.category.data in EXCLUDED_CATEGORIES

    def validate(self, extra_validators: Any = None, now: datetime | None = None) -> bool:
        ok = super().validate(extra_validators)
        if self.is_excluded():
            for name in self.NOT_FOR_EXCLUDED:
                self[name].errors = []
            ok = not any(field.errors for field in self)
        if not self.check_occurred_at(now or datetime.now().astimezone()):
            ok = False
        return ok

    error_order = (
        "police_reference",
        "home_id",
        "occurred_on",
        "occurred_time",
        "child_reference",
        "placing_authority",
        "category",
        "police_attended",
        "arrested",
        "outcome",
    )

    def cleaned(self) -> dict[str, Any]:
        return {
            "police_reference": self.police_reference.data,
            "home_id": int(self.home_id.data),
            "occurred_at": self.occurred_at_utc(),
            "child_reference": self.child_reference.data or None,
            "placing_authority_code": self.placing_authority.data or None,
            "category": self.category.data,
            "police_attended": yes_no_to_bool(self.police_attended.data),
            **(dict.fromkeys(self.NOT_FOR_EXCLUDED) if self.is_excluded() else super().cleaned()),
        }


class ImportForm(GovForm):
    """Upload a CSV or XLSX file of call-outs."""

    source = RadioField(_l("What are you importing?"), validate_choice=False)
    file = FileField(_l("Upload a file"))
    dry_run = RadioField(
        _l("Store the call-outs?"),
        choices=[
            ("no", _l("Yes, import them")),
            ("yes", _l("No, check the file and show what would change")),
        ],
        default="no",
        validate_choice=False,
    )

    def validate_source(self, field: Field) -> None:
        if field.data not in {v for v, _ in field.choices}:
            raise ValidationError(_("Select what you are importing"))

    def validate_file(self, field: Field) -> None:
        name = getattr(field.data, "filename", "") or ""
        if not name:
            raise ValidationError(_("Select a CSV or XLSX file"))
        if not name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("The selected file must be a CSV or XLSX file"))

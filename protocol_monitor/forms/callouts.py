"""Forms for call-outs: the date and time of a call-out, a home's report, and the list filters."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from flask_babel import LazyString, pgettext
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..i18n import _, _l
from ..rules import free_text
from ..rules.callouts import clocks_went_forward
from ..rules.time import NonexistentLocalTime, london_to_utc
from ..vocab import (
    EXCLUDED_CATEGORIES,
    CallerRole,
    Category,
    ChildRole,
    Deescalation,
    ImmediateRisk,
    Restorative,
    Sex,
)
from .base import YES_NO, FilterForm, GovForm, add_error, strip, upper, yes_no_to_bool

#: "Home" as in a children's home (the navigation's "Home", the start page, is another word in
#: Welsh).
HOME_LABEL = LazyString(lambda: pgettext("a children's home", "Home"))

CHILD_REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/_.]{0,39}$")
POLICE_REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-/_.]{0,39}$")
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class OccurredAtMixin:
    """Date (day, month, year) and time (24-hour clock) in London time."""

    anchors = {"occurred_on": "occurred_on-day"}

    occurred_day = StringField(_l("Day"))
    occurred_month = StringField(_l("Month"))
    occurred_year = StringField(_l("Year"))
    occurred_time = StringField(
        _l("Time"),
        filters=[strip],
        validators=[InputRequired(_l("Enter the time of the call-out, like 21:30"))],
    )

    #: Field names in page order (with ``occurred_on`` for the date); set by each form.
    error_order: tuple[str, ...] = ()

    @property
    def errors(self) -> dict[str, list[str]]:
        """Field errors plus the combined date error, in page order."""
        errors = dict(super().errors)  # type: ignore[misc]
        date_errors = getattr(self, "form_errors_for_date", None)
        if date_errors:
            errors["occurred_on"] = date_errors
        order = self.error_order

        def position(item: tuple[str, list[str]]) -> int:
            return order.index(item[0]) if item[0] in order else len(order)

        return dict(sorted(errors.items(), key=position))

    def occurred_at_utc(self) -> datetime | None:
        return getattr(self, "_occurred_at", None)

    def validate_occurred_time(self, field: Field) -> None:
        if not TIME_PATTERN.match(field.data or ""):
            raise ValidationError(
                _("Enter the time as hours and minutes on the 24-hour clock, like 21:30")
            )

    def check_occurred_at(self, now: datetime) -> bool:
        """Combine date and time; note an error under `occurred_on` unless real and past."""
        errors: list[str] = []
        parts = [self.occurred_day.data, self.occurred_month.data, self.occurred_year.data]  # type: ignore[attr-defined]
        parts = [(p or "").strip() for p in parts]
        if not all(parts):
            missing = tuple(
                n for n, p in zip(("day", "month", "year"), parts, strict=True) if not p
            )
            errors.append(_missing_date_parts(missing))
        else:
            try:
                day = date(int(parts[2]), int(parts[1]), int(parts[0]))
                if day.year < 2000:
                    raise ValueError
            except (ValueError, OverflowError):
                errors.append(_("Date of the call-out must be a real date"))
            else:
                match = TIME_PATTERN.match(self.occurred_time.data or "")  # type: ignore[attr-defined]
                if match:
                    local = datetime.combine(day, time(int(match[1]), int(match[2])))
                    try:
                        moment = london_to_utc(local, strict=True)
                    except NonexistentLocalTime:
                        add_error(self.occurred_time, clocks_went_forward(local))  # type: ignore[attr-defined]
                        return False
                    if moment > now:
                        errors.append(_("Date of the call-out must be today or in the past"))
                    else:
                        self._occurred_at = moment
        if errors:
            self.form_errors_for_date = errors
            return False
        return True

    def set_occurred_at(self, local: datetime) -> None:
        self.occurred_day.data = str(local.day)  # type: ignore[attr-defined]
        self.occurred_month.data = str(local.month)  # type: ignore[attr-defined]
        self.occurred_year.data = str(local.year)  # type: ignore[attr-defined]
        self.occurred_time.data = local.strftime("%H:%M")  # type: ignore[attr-defined]


def _missing_date_parts(missing: tuple[str, ...]) -> str:
    """The GOV.UK message for a date of the call-out with parts left blank (whole sentences,
    for Welsh word order)."""
    messages = {
        ("day",): _("Date of the call-out must include a day"),
        ("month",): _("Date of the call-out must include a month"),
        ("year",): _("Date of the call-out must include a year"),
        ("day", "month"): _("Date of the call-out must include a day and month"),
        ("day", "year"): _("Date of the call-out must include a day and year"),
        ("month", "year"): _("Date of the call-out must include a month and year"),
    }
    return messages.get(missing, _("Enter the date of the call-out"))


def validate_child_reference(value: str | None) -> str | None:
    """None if fine, else the GOV.UK error text."""
    if not value:
        return None
    if not CHILD_REFERENCE_PATTERN.match(value) or not any(ch.isdigit() for ch in value):
        return _(
            "Child reference must be the placing authority's case reference, like LCS-104233: "
            "letters, numbers, hyphens or slashes, with at least one number and no spaces"
        )
    return None


class HomeReportForm(OccurredAtMixin, GovForm):
    """A home's report of a police call-out (the provider's form)."""

    home_id = SelectField(HOME_LABEL, coerce=str, validate_choice=False)
    category = RadioField(
        _l("What was the call-out about?"), choices=Category.choices(), validate_choice=False
    )
    child_reference = StringField(
        _l("Child reference"),
        filters=[upper],
        validators=[
            Optional(),
            Length(max=40, message=_l("Child reference must be 40 characters or fewer")),
        ],
    )
    placing_authority = SelectField(_l("Placing authority"), validate_choice=False)
    child_sex = RadioField(
        _l("Sex (optional)"), choices=Sex.choices(), validators=[Optional()], validate_choice=False
    )
    child_age = IntegerField(
        _l("Age in years (optional)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=25, message=_l("Age must be between 0 and 25")),
        ],
    )
    caller_role = RadioField(
        _l("Who called the police?"), choices=CallerRole.choices(), validate_choice=False
    )
    child_role = RadioField(
        _l("The child's role"), choices=ChildRole.choices(), validate_choice=False
    )
    immediate_risk = RadioField(
        _l("Was there an immediate and unmanageable risk to people or property?"),
        choices=ImmediateRisk.choices(),
        validate_choice=False,
    )
    immediate_risk_reason = TextAreaField(
        _l("Describe the immediate risk"),
        filters=[strip],
        validators=[
            Length(max=500, message=_l("The immediate risk must be 500 characters or fewer"))
        ],
    )
    deescalation = SelectMultipleField(
        _l("What de-escalation was tried?"), choices=Deescalation.choices(), validate_choice=False
    )
    police_attended = RadioField(
        _l("Did the police attend?"), choices=YES_NO, validate_choice=False
    )
    police_reference = StringField(
        _l("Police reference (if known)"),
        filters=[upper],
        validators=[
            Optional(),
            Length(max=40, message=_l("Police reference must be 40 characters or fewer")),
        ],
    )
    injuries_damage = TextAreaField(
        _l("Injuries or damage, in short (optional)"),
        filters=[strip],
        validators=[
            Length(max=500, message=_l("Injuries or damage must be 500 characters or fewer"))
        ],
    )
    restorative = RadioField(
        _l("Restorative response"), choices=Restorative.choices(), validate_choice=False
    )
    ofsted_notified = RadioField(
        _l("Was an Ofsted regulation 40 notification made?"),
        choices=YES_NO,
        validate_choice=False,
    )
    description = TextAreaField(
        _l("What happened (optional)"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("What happened must be 2000 characters or fewer"))],
    )
    confirm_no_personal_data = BooleanField(
        _l("I have checked this contains no names, dates of birth, phone numbers or addresses")
    )

    #: The categories that take the short path: missing and absent (domain.md §4).
    excluded_categories = tuple(sorted(EXCLUDED_CATEGORIES))

    #: The questions a missing or absent call-out does not need (its short path asks only the
    #: home, date and time, category, child and police reference): not shown, not checked, and
    #: cleared if sent anyway (a browser without JavaScript shows and sends them all).
    NOT_FOR_EXCLUDED = (
        "child_sex",
        "child_age",
        "child_role",
        "caller_role",
        "immediate_risk",
        "immediate_risk_reason",
        "deescalation",
        "police_attended",
        "injuries_damage",
        "restorative",
        "ofsted_notified",
        "description",
    )

    #: Free-text fields checked for personal details before saving, with their short names.
    FREE_TEXT = {
        "immediate_risk_reason": free_text.IMMEDIATE_RISK,
        "injuries_damage": free_text.INJURIES_DAMAGE,
        "description": free_text.DESCRIPTION,
    }

    def validate_home_id(self, field: Field) -> None:
        if not field.data or field.data not in {value for value, _ in field.choices}:
            raise ValidationError(_("Select the home"))

    def validate_category(self, field: Field) -> None:
        if field.data not in Category.slugs():
            raise ValidationError(_("Select what the call-out was about"))

    def is_excluded(self) -> bool:
        return self.category.data in {c.value for c in Category if not c.in_scope}

    def validate(self, extra_validators: Any = None, now: datetime | None = None) -> bool:
        ok = super().validate(extra_validators)
        excluded = self.is_excluded()
        if excluded:
            # Answers a missing or absent call-out does not need are ignored, valid or not.
            for name in self.NOT_FOR_EXCLUDED:
                self[name].errors = []
            ok = not any(field.errors for field in self)
        if not self.check_occurred_at(now or datetime.now().astimezone()):
            ok = False
        problems: dict[str, str] = {}
        reference_problem = validate_child_reference(self.child_reference.data)
        if reference_problem:
            problems["child_reference"] = reference_problem
        if self.child_reference.data and not self.placing_authority.data:
            problems["placing_authority"] = _("Select the authority that placed the child")
        if self.placing_authority.data and self.placing_authority.data not in {
            v for v, _ in self.placing_authority.choices if v
        }:
            problems["placing_authority"] = _("Select the authority that placed the child")
        if self.police_reference.data and not POLICE_REFERENCE_PATTERN.match(
            self.police_reference.data
        ):
            problems["police_reference"] = _(
                "Police reference must be letters, numbers, hyphens or slashes, with no spaces"
            )
        if not excluded and self.child_sex.data and self.child_sex.data not in Sex.slugs():
            problems["child_sex"] = _("Select the child's sex, or leave it blank")
        if not excluded:
            needs = {
                "caller_role": (_("Select who called the police"), CallerRole),
                "child_role": (_("Select the child's role"), ChildRole),
                "immediate_risk": (_("Select whether there was an immediate risk"), ImmediateRisk),
                "restorative": (_("Select the restorative response"), Restorative),
            }
            for name, (message, vocabulary) in needs.items():
                if self[name].data not in vocabulary.slugs():
                    problems[name] = message
            for name, message in (
                ("police_attended", _("Select whether the police attended")),
                (
                    "ofsted_notified",
                    _("Select whether an Ofsted regulation 40 notification was made"),
                ),
            ):
                if self[name].data not in ("yes", "no"):
                    problems[name] = message
            if not self.child_reference.data and self.child_role.data != "not_resident":
                problems["child_reference"] = _(
                    "Enter the child reference from the placing authority, like LCS-104233"
                )
            chosen = list(self.deescalation.data or [])
            if not chosen:
                problems["deescalation"] = _("Select the de-escalation tried, or select ‘None’")
            elif any(c not in Deescalation.slugs() for c in chosen):
                problems["deescalation"] = _("Select de-escalation from the list")
            elif "none" in chosen and len(chosen) > 1:
                problems["deescalation"] = _("Select ‘None’ on its own, or the de-escalation tried")
            if self.immediate_risk.data == "yes" and not self.immediate_risk_reason.data:
                problems["immediate_risk_reason"] = _("Describe the immediate risk")
        self.check_free_text(problems)
        for name, message in problems.items():
            add_error(self[name], message)
            ok = False
        return ok

    def free_text_values(self) -> dict[str, str | None]:
        """The free text that would be saved (the risk reason only when the risk was 'yes')."""
        values = {name: self[name].data for name in self.FREE_TEXT}
        if self.immediate_risk.data != "yes":
            values["immediate_risk_reason"] = None
        if self.is_excluded():
            values.update(dict.fromkeys(set(values) & set(self.NOT_FOR_EXCLUDED)))
        return values

    def check_free_text(self, problems: dict[str, str]) -> None:
        """Data minimisation: warn on each free-text field that looks like it holds personal
        details, until the text is fixed or the person confirms it holds none."""
        self.personal_data_warnings: dict[str, str] = {}
        self.free_text_flags: dict[str, list[str]] = {}
        for name, text in self.free_text_values().items():
            message = free_text.warning(self.FREE_TEXT[name], text)
            if message:
                self.personal_data_warnings[name] = message
                self.free_text_flags[name] = free_text.kinds(text)
        if self.personal_data_warnings and not self.confirm_no_personal_data.data:
            for name, message in self.personal_data_warnings.items():
                problems.setdefault(name, message)

    #: Page order, so the error summary reads top to bottom.
    error_order = (
        "home_id",
        "occurred_on",
        "occurred_time",
        "category",
        "child_reference",
        "placing_authority",
        "child_sex",
        "child_age",
        "child_role",
        "caller_role",
        "immediate_risk",
        "immediate_risk_reason",
        "deescalation",
        "police_attended",
        "police_reference",
        "injuries_damage",
        "restorative",
        "ofsted_notified",
        "description",
    )

    def cleaned(self) -> dict[str, Any]:
        """The report fields, typed, ready for the service."""
        excluded = self.is_excluded()

        def full(value: Any) -> Any:
            return value if value not in ("", None) else None

        values = {
            "home_id": int(self.home_id.data),
            "occurred_at": self.occurred_at_utc(),
            "category": self.category.data,
            "child_reference": full(self.child_reference.data),
            "placing_authority_code": full(self.placing_authority.data),
            "child_sex": full(self.child_sex.data),
            "child_age": self.child_age.data,
            "caller_role": full(self.caller_role.data),
            "child_role": full(self.child_role.data),
            "immediate_risk": full(self.immediate_risk.data),
            "immediate_risk_reason": full(self.immediate_risk_reason.data)
            if self.immediate_risk.data == "yes"
            else None,
            "deescalation": list(self.deescalation.data or []),
            "police_attended": yes_no_to_bool(self.police_attended.data),
            "police_reference": full(self.police_reference.data),
            "injuries_damage": full(self.injuries_damage.data),
            "restorative": full(self.restorative.data),
            "ofsted_notified": yes_no_to_bool(self.ofsted_notified.data),
            "description": full(self.description.data),
            "excluded": excluded,
            # The kinds of personal detail flagged in text the person confirmed holds none.
            "free_text_confirmed": dict(getattr(self, "free_text_flags", {})),
        }
        if excluded:
            values.update(dict.fromkeys(self.NOT_FOR_EXCLUDED))
            values["deescalation"] = []
        return values


class CorrectionReasonMixin:
    """Why a report is corrected: asked on every correction, kept in its history."""

    reason = TextAreaField(
        _l("Why are you correcting it?"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter why you are correcting the report")),
            Length(
                max=500, message=_l("Why you are correcting it must be 500 characters or fewer")
            ),
        ],
    )


class HomeReportCorrectionForm(CorrectionReasonMixin, HomeReportForm):
    """A correction of a home's report: the report's form, and why."""

    FREE_TEXT = {**HomeReportForm.FREE_TEXT, "reason": free_text.CORRECTION_REASON}
    error_order = (*HomeReportForm.error_order, "reason")

    def cleaned(self) -> dict[str, Any]:
        return {**super().cleaned(), "reason": self.reason.data}


class CalloutFilterForm(FilterForm):
    home = SelectField(HOME_LABEL, validate_choice=False)
    month = StringField(_l("Month (YYYY-MM)"), filters=[strip])
    category = SelectField(
        _l("Category"),
        choices=[("", _l("All categories")), *Category.choices()],
        validate_choice=False,
    )

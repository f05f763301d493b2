"""Forms for flags: filters, acknowledge and resolve notes, and the admin's thresholds."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..rules.flags import LIMITS
from ..vocab import FlagRule, FlagStatus
from .base import FilterForm, GovForm, strip


class FlagFilterForm(FilterForm):
    rule = SelectField(
        "Rule", choices=[("", "All rules"), *FlagRule.choices()], validate_choice=False
    )
    home = SelectField("Home", validate_choice=False)
    status = SelectField(
        "Status",
        choices=[("", "All statuses"), *FlagStatus.choices()],
        validate_choice=False,
    )


class AcknowledgeForm(GovForm):
    note = TextAreaField(
        "Note (optional)",
        filters=[strip],
        validators=[Length(max=1000, message="Note must be 1000 characters or fewer")],
    )


class ResolveForm(GovForm):
    resolve_note = TextAreaField(
        "How was it resolved?",
        filters=[strip],
        validators=[
            InputRequired("Enter how the flag was resolved"),
            Length(max=1000, message="Note must be 1000 characters or fewer"),
        ],
    )


def _threshold(label: str, name: str, unit: str) -> IntegerField:
    low, high = LIMITS[name]
    return IntegerField(
        label,
        validators=[
            InputRequired(f"Enter the {unit}"),
            NumberRange(min=low, max=high, message=f"Enter a whole number from {low} to {high}"),
        ],
    )


class ThresholdsForm(GovForm):
    repeat_child_count = _threshold(
        "Repeat child: call-outs about one child", "repeat_child_count", "number of call-outs"
    )
    repeat_child_days = _threshold(
        "Repeat child: within how many consecutive days", "repeat_child_days", "number of days"
    )
    repeat_home_count = _threshold(
        "Repeat home: call-outs from one home in a calendar month",
        "repeat_home_count",
        "number of call-outs",
    )
    unreported_hours = _threshold(
        "Unreported: hours after a police attendance", "unreported_hours", "number of hours"
    )

"""Forms for flags: filters, acknowledge and resolve notes, and the admin's thresholds."""

from __future__ import annotations

from flask_babel import LazyString, pgettext
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..i18n import _l
from ..rules.flags import LIMITS
from ..vocab import FlagRule, FlagStatus
from .base import FilterForm, GovForm, strip

#: "Home" as a children's home (not the start page, also "Home" in English).
HOME = LazyString(lambda: pgettext("a children's home", "Home"))


class FlagFilterForm(FilterForm):
    rule = SelectField(
        _l("Rule"), choices=[("", _l("All rules")), *FlagRule.choices()], validate_choice=False
    )
    home = SelectField(HOME, validate_choice=False)
    status = SelectField(
        _l("Status"),
        choices=[("", _l("All statuses")), *FlagStatus.choices()],
        validate_choice=False,
    )


class AcknowledgeForm(GovForm):
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("Note must be 1000 characters or fewer"))],
    )


class ResolveForm(GovForm):
    resolve_note = TextAreaField(
        _l("How was it resolved?"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter how the flag was resolved")),
            Length(max=1000, message=_l("Note must be 1000 characters or fewer")),
        ],
    )


def _threshold(label: LazyString, name: str, missing: LazyString) -> IntegerField:
    low, high = LIMITS[name]
    return IntegerField(
        label,
        validators=[
            InputRequired(missing),
            NumberRange(
                min=low, max=high, message=_l("Enter a whole number from %(min)s to %(max)s")
            ),
        ],
    )


class ThresholdsForm(GovForm):
    repeat_child_count = _threshold(
        _l("Repeat child: call-outs about one child"),
        "repeat_child_count",
        _l("Enter the number of call-outs"),
    )
    repeat_child_days = _threshold(
        _l("Repeat child: within how many consecutive days"),
        "repeat_child_days",
        _l("Enter the number of days"),
    )
    repeat_home_count = _threshold(
        _l("Repeat home: call-outs from one home in a calendar month"),
        "repeat_home_count",
        _l("Enter the number of call-outs"),
    )
    unreported_hours = _threshold(
        _l("Unreported: hours after a police attendance"),
        "unreported_hours",
        _l("Enter the number of hours"),
    )

"""Forms for reviews and actions: input shape and GOV.UK wording only."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import LazyString, pgettext
from wtforms import FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ..i18n import _, _l
from ..vocab import ActionStatus, PoliceNecessary, ProtocolApplied
from .base import YES_NO, FilterForm, GovForm, add_error, record_id, strip, yes_no_to_bool

#: The owner choice that gives an action to the call-out's home (all its provider users).
HOME_OWNER = "home"


def _owner_id(value: str | None) -> int | None:
    """The chosen owner's id; None (the home's allocated officer) when blank or not an id."""
    try:
        return record_id(value) if value else None
    except ValueError:
        return None


#: "Home" as a children's home (not the start page, also "Home" in English).
HOME = LazyString(lambda: pgettext("a children's home", "Home"))


class ActionEntryForm(Form):
    """One action in the review form; a row left blank is ignored."""

    text = TextAreaField(
        _l("What is the action?"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("The action must be 1000 characters or fewer"))],
    )
    owner_id = SelectField(_l("Owner"), validate_choice=False)
    due_day = StringField(_l("Day"), filters=[strip])
    due_month = StringField(_l("Month"), filters=[strip])
    due_year = StringField(_l("Year"), filters=[strip])
    status = SelectField(_l("Status"), choices=ActionStatus.choices(), validate_choice=False)

    def is_blank(self) -> bool:
        return not (
            self.text.data or self.due_day.data or self.due_month.data or self.due_year.data
        )

    def due_on(self) -> date | None:
        try:
            return date(int(self.due_year.data), int(self.due_month.data), int(self.due_day.data))
        except (TypeError, ValueError, OverflowError):  # a year past C's int is an OverflowError
            return None


class ReviewForm(GovForm):
    protocol_applied = RadioField(
        _l("Was the protocol applied appropriately?"),
        choices=ProtocolApplied.choices(),
        validate_choice=False,
    )
    police_necessary = RadioField(
        _l("Was police involvement necessary?"),
        choices=PoliceNecessary.choices(),
        validate_choice=False,
    )
    police_response_proportionate = RadioField(
        _l("Was the police response proportionate?"), choices=YES_NO, validate_choice=False
    )
    outcome_proportionate = RadioField(
        _l("Was the outcome proportionate?"),
        choices=[*YES_NO, ("not_known", _l("Not yet known"))],
        validate_choice=False,
    )
    learning_points = TextAreaField(
        _l("Learning points (optional)"),
        filters=[strip],
        validators=[
            Length(max=4000, message=_l("Learning points must be 4000 characters or fewer"))
        ],
    )
    actions = FieldList(FormField(ActionEntryForm), min_entries=1)

    def set_owner_choices(self, choices: list[tuple[str, str]], default: str) -> None:
        for entry in self.actions:
            entry.form.owner_id.choices = choices
            if not entry.form.owner_id.data or entry.form.owner_id.data == "None":
                entry.form.owner_id.data = default

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        problems = {
            "protocol_applied": (
                ProtocolApplied.slugs(),
                _("Select whether the protocol was applied"),
            ),
            "police_necessary": (
                PoliceNecessary.slugs(),
                _("Select whether police involvement was necessary"),
            ),
            "police_response_proportionate": (
                ["yes", "no"],
                _("Select whether the police response was proportionate"),
            ),
            "outcome_proportionate": (
                ["yes", "no", "not_known"],
                _("Select whether the outcome was proportionate, or not yet known"),
            ),
        }
        for name, (allowed, message) in problems.items():
            if self[name].data not in allowed:
                add_error(self[name], message)
                ok = False
        for entry in self.actions:
            action = entry.form
            if action.is_blank():
                continue
            if not action.text.data:
                add_error(action.text, _("Enter what the action is"))
                ok = False
            parts = [action.due_day.data, action.due_month.data, action.due_year.data]
            if not any(parts):
                add_error(action.due_day, _("Enter the due date of the action"))
                ok = False
            elif action.due_on() is None:
                add_error(action.due_day, _("Due date of the action must be a real date"))
                ok = False
            if action.status.data not in ActionStatus.slugs():
                add_error(action.status, _("Select the status of the action"))
                ok = False
        return ok

    def error_list(self) -> list[dict[str, str]]:
        items = []
        for name in (
            "protocol_applied",
            "police_necessary",
            "police_response_proportionate",
            "outcome_proportionate",
            "learning_points",
        ):
            if self[name].errors:
                items.append({"text": self[name].errors[0], "href": f"#{self[name].id}"})
        for entry in self.actions:
            for field in entry.form:
                if field.errors:
                    items.append({"text": field.errors[0], "href": f"#{field.id}"})
        return items

    @property
    def errors(self) -> dict[str, list[str]]:  # type: ignore[override]
        """Every error, the nested action rows' included (WTForms caches those too early)."""
        return {item["href"]: [item["text"]] for item in self.error_list()}

    def review_values(self) -> dict[str, Any]:
        outcome = self.outcome_proportionate.data
        return {
            "protocol_applied": self.protocol_applied.data,
            "police_necessary": self.police_necessary.data,
            "police_response_proportionate": yes_no_to_bool(
                self.police_response_proportionate.data
            ),
            "outcome_proportionate": None if outcome == "not_known" else yes_no_to_bool(outcome),
            "learning_points": self.learning_points.data,
        }

    def action_values(self) -> list[dict[str, Any]]:
        result = []
        for entry in self.actions:
            action = entry.form
            if action.is_blank():
                continue
            owner = action.owner_id.data
            result.append(
                {
                    "text": action.text.data,
                    "owner_home": owner == HOME_OWNER,
                    "owner_id": None if owner == HOME_OWNER else _owner_id(owner),
                    "due_on": action.due_on(),
                    "status": action.status.data,
                }
            )
        return result


class ActionStatusForm(GovForm):
    status = RadioField(_l("Status"), choices=ActionStatus.choices(), validate_choice=False)
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[strip],
        validators=[Length(max=1000, message=_l("Note must be 1000 characters or fewer"))],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.status.data not in ActionStatus.slugs():
            add_error(self.status, _("Select the status of the action"))
            ok = False
        return ok


class QueueFilterForm(FilterForm):
    authority = SelectField(_l("Authority"), validate_choice=False)
    home = SelectField(HOME, validate_choice=False)
    month = StringField(_l("Month (YYYY-MM)"), filters=[strip])
    rule = SelectField(_l("Flag"), validate_choice=False)

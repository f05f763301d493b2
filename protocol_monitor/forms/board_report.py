"""The board report's choices: the year (the month it ends with and that month's year), the
version and the area. Read from the query string, so downloads and the print view share them."""

from __future__ import annotations

from datetime import date

from wtforms import RadioField, SelectField, StringField

from ..i18n import _, _l, month_name
from ..rules import board_report as rules
from ..rules.time import Month
from .base import FilterForm, add_error, strip

#: The months by number (their names, in the reader's language, are the form's choices).
MONTHS = [str(n) for n in range(1, 13)]


class BoardReportForm(FilterForm):
    ending_month = SelectField(
        _l("Month the year ends with"), choices=[], default="9", validate_choice=False
    )
    ending_year = StringField(_l("Year of that month"), filters=[strip])
    version = RadioField(
        _l("Version"),
        choices=[
            ("internal", _l("Internal: for the group, every count as it is")),
            ("public", _l("Public: counts from 1 to 4 shown as <5")),
        ],
        default="internal",
        validate_choice=False,
    )
    area = SelectField(_l("Area"), validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ending_month.choices = [(n, month_name(int(n))) for n in MONTHS]

    def year_ending(self, today: date) -> Month:
        """The month the report's latest year ends with: the one chosen, or (with errors shown
        on the fields) the latest October-to-September year over by ``today``."""
        default = rules.latest_year_ending(today, rules.DEFAULT_PRESET)
        month_text = self.ending_month.data or str(default.month)
        year_text = self.ending_year.data or ""
        if not year_text:
            self.ending_month.data = month_text
            self.ending_year.data = str(default.year)
            year_text = str(default.year)
        if month_text not in MONTHS:
            add_error(self.ending_month, _("Select the month the year ends with"))
            return default
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            add_error(self.ending_year, _("Enter the year as 4 digits, like 2026"))
            return default
        chosen = Month(int(year_text), int(month_text))
        if not Month(2000, 1) <= chosen <= Month.of(today).shift(12):
            add_error(
                self.ending_year,
                _("Enter a year from 2000 to %(year)s", year=Month.of(today).shift(12).year),
            )
            return default
        return chosen

    def public(self) -> bool:
        return self.version.data == "public"

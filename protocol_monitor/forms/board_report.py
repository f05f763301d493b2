"""The board report's choices: the year (the month it ends with and that month's year), the
version and the area. Read from the query string, so downloads and the print view share them."""

from __future__ import annotations

from datetime import date

from wtforms import RadioField, SelectField, StringField

from ..rules import board_report as rules
from ..rules.time import Month
from .base import FilterForm, add_error, strip

MONTHS = [(str(n), Month(2000, n).first_day.strftime("%B")) for n in range(1, 13)]


class BoardReportForm(FilterForm):
    ending_month = SelectField(
        "Month the year ends with", choices=MONTHS, default="9", validate_choice=False
    )
    ending_year = StringField("Year of that month", filters=[strip])
    version = RadioField(
        "Version",
        choices=[
            ("internal", "Internal: for the group, every count as it is"),
            ("public", "Public: counts from 1 to 4 shown as <5"),
        ],
        default="internal",
        validate_choice=False,
    )
    area = SelectField("Area", validate_choice=False)

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
        if month_text not in {value for value, _ in MONTHS}:
            add_error(self.ending_month, "Select the month the year ends with")
            return default
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            add_error(self.ending_year, "Enter the year as 4 digits, like 2026")
            return default
        chosen = Month(int(year_text), int(month_text))
        if not Month(2000, 1) <= chosen <= Month.of(today).shift(12):
            add_error(
                self.ending_year,
                f"Enter a year from 2000 to {Month.of(today).shift(12).year}",
            )
            return default
        return chosen

    def public(self) -> bool:
        return self.version.data == "public"

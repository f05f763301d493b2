"""Working days in England and Wales: weekends and bank holidays, computed without a network."""

from __future__ import annotations

from datetime import date, timedelta

# One-off changes by proclamation: (moved from, moved to) and extra days.
_MOVED: dict[date, date] = {
    date(1995, 5, 1): date(1995, 5, 8),  # VE day 50th anniversary
    date(2002, 5, 27): date(2002, 6, 4),  # Golden Jubilee
    date(2012, 5, 28): date(2012, 6, 4),  # Diamond Jubilee
    date(2020, 5, 4): date(2020, 5, 8),  # VE day 75th anniversary
    date(2022, 5, 30): date(2022, 6, 2),  # Platinum Jubilee
}
_EXTRA: frozenset[date] = frozenset(
    {
        date(1999, 12, 31),  # Millennium
        date(2002, 6, 3),  # Golden Jubilee
        date(2011, 4, 29),  # Royal wedding
        date(2012, 6, 5),  # Diamond Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # State funeral of Queen Elizabeth II
        date(2023, 5, 8),  # Coronation of King Charles III
    }
)


def easter_sunday(year: int) -> date:
    """Western Easter (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    day = following - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of a year, with weekend substitutes."""
    days: set[date] = set()
    new_year = date(year, 1, 1)
    if new_year.weekday() == 5:
        new_year += timedelta(days=2)
    elif new_year.weekday() == 6:
        new_year += timedelta(days=1)
    days.add(new_year)
    easter = easter_sunday(year)
    days.add(easter - timedelta(days=2))
    days.add(easter + timedelta(days=1))
    for day in (_first_monday(year, 5), _last_monday(year, 5), _last_monday(year, 8)):
        days.add(_MOVED.get(day, day))
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Mon 27 and Tue 28
        days.update({date(year, 12, 27), date(year, 12, 28)})
    elif christmas.weekday() == 6:  # Sunday: Boxing Day Mon 26, Christmas Tue 27
        days.update({boxing, date(year, 12, 27)})
    elif christmas.weekday() == 4:  # Friday: Boxing Day moves to Mon 28
        days.update({christmas, date(year, 12, 28)})
    else:
        days.update({christmas, boxing})
    days.update(d for d in _EXTRA if d.year == year)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day

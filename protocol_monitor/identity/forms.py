"""Forms for signing in with a second factor, recovery codes, passwords and API tokens."""

from __future__ import annotations

from wtforms import PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms.base import GovForm, strip
from ..i18n import LANGUAGES, _l
from .passwords import MAX_LENGTH, MIN_LENGTH

_NEW_HINT = _l(
    "Use %(num)s characters or more. A few unrelated words together are easy to remember "
    "and hard to guess. You do not need capitals, numbers or symbols.",
    num=MIN_LENGTH,
)


# Made before the new-password fields so that it comes first on the page and in the errors.
_current_password = PasswordField(
    _l("Current password"),
    validators=[InputRequired(_l("Enter your current password")), Length(max=MAX_LENGTH)],
)


class SignInForm(GovForm):
    email = StringField(
        _l("Email address"),
        validators=[InputRequired(_l("Enter your email address")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password")), Length(max=256)]
    )


class CodeForm(GovForm):
    code = StringField(
        _l("Code from your authenticator app"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter the 6-digit code from your authenticator app")),
            Length(max=10, message=_l("Enter the 6-digit code from your authenticator app")),
        ],
    )


class RecoveryCodeForm(GovForm):
    code = StringField(
        _l("Recovery code"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter one of your recovery codes, like abcde-12345")),
            Length(max=40, message=_l("Enter one of your recovery codes, like abcde-12345")),
        ],
    )


class ReenterPasswordForm(GovForm):
    """Re-authentication before something that needs it (new recovery codes, an API token)."""

    current_password = _current_password


class NewPasswordForm(GovForm):
    hint = _NEW_HINT
    new_password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Enter a new password")),
            Length(
                max=MAX_LENGTH,
                message=_l("Password must be %(num)s characters or fewer", num=MAX_LENGTH),
            ),
        ],
    )
    confirm_password = PasswordField(
        _l("Confirm new password"),
        validators=[
            InputRequired(_l("Confirm your new password")),
            EqualTo("new_password", message=_l("Enter the same password twice")),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = _current_password


class ForgotPasswordForm(GovForm):
    email = StringField(
        _l("Email address"),
        filters=[strip],
        validators=[InputRequired(_l("Enter your email address")), Length(max=254)],
    )


class FreshApiTokenForm(GovForm):
    """A token for someone who signs in through their organisation (no password to enter)."""

    name = StringField(
        _l("Name of the token"),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter a name for the token, like ‘Power BI monthly report’")),
            Length(max=80, message=_l("Name must be 80 characters or fewer")),
        ],
    )


class ApiTokenForm(FreshApiTokenForm):
    current_password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your current password")), Length(max=MAX_LENGTH)],
    )


class EmailChoicesForm(GovForm):
    """Which emails about their homes' records a person gets (services.home_notices)."""

    emails = SelectMultipleField(
        _l("Which emails do you want?"),
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class LanguageForm(GovForm):
    """The language of a person's pages and emails (identity.accounts.set_language). The
    languages are named in themselves, as on the switch at the top of every page."""

    language = RadioField(
        _l("Which language do you want to use?"),
        choices=list(LANGUAGES.items()),
        validate_choice=False,
        validators=[InputRequired(_l("Select English or Cymraeg"))],
    )

"""Forms for signing in with a second factor, recovery codes, passwords and API tokens."""

from __future__ import annotations

from wtforms import PasswordField, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms.base import GovForm, strip
from .passwords import MAX_LENGTH, MIN_LENGTH

_NEW_HINT = (
    f"Use {MIN_LENGTH} characters or more. A few unrelated words together are easy to remember "
    "and hard to guess. You do not need capitals, numbers or symbols."
)


# Made before the new-password fields so that it comes first on the page and in the errors.
_current_password = PasswordField(
    "Current password",
    validators=[InputRequired("Enter your current password"), Length(max=MAX_LENGTH)],
)


class SignInForm(GovForm):
    email = StringField(
        "Email address", validators=[InputRequired("Enter your email address"), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password"), Length(max=256)]
    )


class CodeForm(GovForm):
    code = StringField(
        "Code from your authenticator app",
        filters=[strip],
        validators=[
            InputRequired("Enter the 6-digit code from your authenticator app"),
            Length(max=10, message="Enter the 6-digit code from your authenticator app"),
        ],
    )


class RecoveryCodeForm(GovForm):
    code = StringField(
        "Recovery code",
        filters=[strip],
        validators=[
            InputRequired("Enter one of your recovery codes, like abcde-12345"),
            Length(max=40, message="Enter one of your recovery codes, like abcde-12345"),
        ],
    )


class ReenterPasswordForm(GovForm):
    """Re-authentication before something that needs it (new recovery codes, an API token)."""

    current_password = _current_password


class NewPasswordForm(GovForm):
    hint = _NEW_HINT
    new_password = PasswordField(
        "New password",
        validators=[
            InputRequired("Enter a new password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            InputRequired("Confirm your new password"),
            EqualTo("new_password", message="Enter the same password twice"),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = _current_password


class ForgotPasswordForm(GovForm):
    email = StringField(
        "Email address",
        filters=[strip],
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )


class FreshApiTokenForm(GovForm):
    """A token for someone who signs in through their organisation (no password to enter)."""

    name = StringField(
        "Name of the token",
        filters=[strip],
        validators=[
            InputRequired("Enter a name for the token, like ‘Power BI monthly report’"),
            Length(max=80, message="Name must be 80 characters or fewer"),
        ],
    )


class ApiTokenForm(FreshApiTokenForm):
    current_password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your current password"), Length(max=MAX_LENGTH)],
    )


class EmailChoicesForm(GovForm):
    """Which emails about their homes' records a person gets (services.home_notices)."""

    emails = SelectMultipleField(
        "Which emails do you want?",
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

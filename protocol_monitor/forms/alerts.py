"""Forms of the alerts area: where each area's messages go, and in which language."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from wtforms import BooleanField, Field, RadioField, StringField
from wtforms.validators import Length, ValidationError

from ..i18n import _, _l
from ..vocab import ChannelLanguage
from .base import GovForm, strip

SLACK_CHANNEL_PATTERN = re.compile(r"^[CG][A-Z0-9]{6,20}$")


class ChannelSettingForm(GovForm):
    slack_channel_id = StringField(
        _l("Slack channel ID"),
        filters=[strip],
        validators=[Length(max=40, message=_l("Slack channel ID must be 40 characters or fewer"))],
    )
    teams_webhook_url = StringField(
        _l("Teams Workflows webhook URL"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("Webhook URL must be 2000 characters or fewer"))],
    )
    remove_teams_webhook = BooleanField(_l("Remove the Teams webhook"))
    email_recipients = StringField(
        _l("Email recipients"),
        filters=[strip],
        validators=[
            Length(max=2000, message=_l("Email recipients must be 2000 characters or fewer"))
        ],
    )
    allow_child_reference = BooleanField(
        _l("This channel may see children's pseudonymous references")
    )
    language = RadioField(
        _l("Language of the messages"),
        choices=ChannelLanguage.choices(),
        default=ChannelLanguage.EN.value,
        validate_choice=False,
    )

    def validate_slack_channel_id(self, field: Field) -> None:
        if field.data and not SLACK_CHANNEL_PATTERN.match(field.data):
            raise ValidationError(
                _("Enter a Slack channel ID in the correct format, like C0123456789")
            )

    def validate_teams_webhook_url(self, field: Field) -> None:
        if field.data and not field.data.startswith("https://"):
            raise ValidationError(_("Enter a webhook URL starting https://"))

    def validate_email_recipients(self, field: Field) -> None:
        for address in self.recipients():
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError as error:
                raise ValidationError(
                    _(
                        "Enter email addresses in the correct format, like name@example.org "
                        "(%(address)s is not)",
                        address=address,
                    )
                ) from error

    def validate_language(self, field: Field) -> None:
        if field.data not in ChannelLanguage.slugs():
            raise ValidationError(_("Select the language of the messages"))

    def recipients(self) -> list[str]:
        return [a.strip() for a in re.split(r"[,;\s]+", self.email_recipients.data or "") if a]

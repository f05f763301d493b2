"""Forms of the alerts area: where each area's messages go."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from wtforms import BooleanField, Field, StringField
from wtforms.validators import Length, ValidationError

from .base import GovForm, strip

SLACK_CHANNEL_PATTERN = re.compile(r"^[CG][A-Z0-9]{6,20}$")


class ChannelSettingForm(GovForm):
    slack_channel_id = StringField(
        "Slack channel ID",
        filters=[strip],
        validators=[Length(max=40, message="Slack channel ID must be 40 characters or fewer")],
    )
    teams_webhook_url = StringField(
        "Teams Workflows webhook URL",
        filters=[strip],
        validators=[Length(max=2000, message="Webhook URL must be 2000 characters or fewer")],
    )
    remove_teams_webhook = BooleanField("Remove the Teams webhook")
    email_recipients = StringField(
        "Email recipients",
        filters=[strip],
        validators=[Length(max=2000, message="Email recipients must be 2000 characters or fewer")],
    )
    allow_child_reference = BooleanField("This channel may see children's pseudonymous references")

    def validate_slack_channel_id(self, field: Field) -> None:
        if field.data and not SLACK_CHANNEL_PATTERN.match(field.data):
            raise ValidationError(
                "Enter a Slack channel ID in the correct format, like C0123456789"
            )

    def validate_teams_webhook_url(self, field: Field) -> None:
        if field.data and not field.data.startswith("https://"):
            raise ValidationError("Enter a webhook URL starting https://")

    def validate_email_recipients(self, field: Field) -> None:
        for address in self.recipients():
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError as error:
                raise ValidationError(
                    f"Enter email addresses in the correct format, like name@example.org "
                    f"({address} is not)"
                ) from error

    def recipients(self) -> list[str]:
        return [a.strip() for a in re.split(r"[,;\s]+", self.email_recipients.data or "") if a]

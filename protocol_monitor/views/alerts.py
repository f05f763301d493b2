"""Admin pages of the alerts area: channel settings and the outbox."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import Permission, requires
from ..forms.alerts import ChannelSettingForm
from ..forms.base import record_id
from ..i18n import _, current_language, translate
from ..rules.alerts import localised
from ..services import ServiceError, alert_routing, channels, outbox_log, relay
from ..vocab import ChannelLanguage

bp = Blueprint("alerts", __name__, url_prefix="/admin")


@bp.app_template_filter("message_words")
def message_words(payload: dict) -> dict:
    """An outbox message's words in the page's language (its Welsh on a Welsh page): ``{{
    (message.payload | message_words).title }}``, on any page."""
    return localised(payload or {}, current_language())


@bp.route("/channels")
@requires(Permission.ADMINISTER)
def channel_list():
    return render_template(
        "alerts/channels.html",
        title=_("Alert channels"),
        scopes=channels.scopes(),
        settings=channels.settings_by_key(),
        channel_language=ChannelLanguage,
    )


@bp.route("/channels/<scope_key>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def channel_edit(scope_key: str):
    scope = channels.scope(scope_key)
    setting = channels.settings_by_key().get(scope_key)
    form = ChannelSettingForm()
    if not form.is_submitted() and setting is not None:
        form.slack_channel_id.data = setting.slack_channel_id
        form.email_recipients.data = setting.email_recipients
        form.allow_child_reference.data = setting.allow_child_reference
        form.language.data = setting.language
    if form.validate_on_submit():
        try:
            channels.save(
                scope_key,
                current_user,
                slack_channel_id=form.slack_channel_id.data or "",
                teams_webhook_url=form.teams_webhook_url.data or "",
                remove_teams_webhook=form.remove_teams_webhook.data,
                email_recipients=form.recipients(),
                allow_child_reference=form.allow_child_reference.data,
                language=form.language.data,
            )
        except ServiceError as error:
            form.add_service_error(error, "slack_channel_id")
        else:
            flash(_("Alert channels saved for %(area)s", area=scope.label), "success")
            return redirect(url_for("alerts.channel_list"))
    errors = form.error_list()
    return render_template(
        "alerts/channel_form.html",
        title=_("Alert channels: %(area)s", area=scope.label),
        scope=scope,
        setting=setting,
        form=form,
        errors=errors,
    )


@bp.route("/outbox")
@requires(Permission.ADMINISTER)
def outbox():
    filters = outbox_log.OutboxFilters(
        kind=request.args.get("kind") or None, status=request.args.get("status") or None
    )
    found = outbox_log.search(
        current_user, filters, page=request.args.get("page", 1, type=record_id), size=10
    )
    return render_template(
        "alerts/outbox.html",
        title=_("Outbox"),
        page=found.page,
        messages=found.page.items,
        deliveries=found.deliveries,
        filters=filters,
        kinds={kind: translate(label) for kind, label in outbox_log.KINDS.items()},
        statuses={
            **{key: translate(label) for key, (label, _statuses) in outbox_log.STATUSES.items()},
            outbox_log.FAILED: _("A delivery failed"),
        },
        select_items=_select_items,
    )


def _select_items(options: dict[str, str], chosen: str | None, blank: str) -> list[dict]:
    """A GOV.UK select's items: ``blank`` (no filter) first, then each option, one chosen."""
    return [{"value": "", "text": blank}] + [
        {"value": value, "text": text, "selected": value == chosen}
        for value, text in options.items()
    ]


@bp.route("/outbox/deliveries/<int:delivery_id>/retry", methods=["POST"])
@requires(Permission.ADMINISTER)
def retry(delivery_id: int):
    try:
        relay.retry(delivery_id, current_user)
    except ServiceError as error:
        flash(str(error))
    else:
        flash(_("The delivery will be tried again within a minute"), "success")
    return redirect(url_for("alerts.outbox"))


@bp.route("/outbox/messages/<int:message_id>/send-again", methods=["POST"])
@requires(Permission.ADMINISTER)
def reroute(message_id: int):
    try:
        alert_routing.reroute(message_id, current_user)
    except ServiceError as error:
        flash(str(error))
    else:
        flash(_("The message will be sent to the channels now set up"), "success")
    return redirect(url_for("alerts.outbox"))

"""Admin pages of the alerts area: channel settings and the outbox."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import Permission, requires
from ..db import db
from ..forms.alerts import ChannelSettingForm
from ..models import Delivery, OutboxMessage
from ..services import ServiceError, alert_routing, channels, relay

bp = Blueprint("alerts", __name__, url_prefix="/admin")


@bp.route("/channels")
@requires(Permission.ADMINISTER)
def channel_list():
    return render_template(
        "alerts/channels.html",
        title="Alert channels",
        scopes=channels.scopes(),
        settings=channels.settings_by_key(),
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
            )
        except ServiceError as error:
            form.add_service_error(error, "slack_channel_id")
        else:
            flash(f"Alert channels saved for {scope.label}")
            return redirect(url_for("alerts.channel_list"))
    errors = form.error_list()
    return render_template(
        "alerts/channel_form.html",
        title=("Error: " if errors else "") + f"Alert channels: {scope.label}",
        scope=scope,
        setting=setting,
        form=form,
        errors=errors,
    )


@bp.route("/outbox")
@requires(Permission.ADMINISTER)
def outbox():
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)
    ).all()
    deliveries = db.session.scalars(
        select(Delivery)
        .where(Delivery.message_id.in_([m.id for m in messages]))
        .options(selectinload(Delivery.attempts), selectinload(Delivery.channel_setting))
        .order_by(Delivery.id)
    ).all()
    by_message: dict[int, list[Delivery]] = {}
    for item in deliveries:
        by_message.setdefault(item.message_id, []).append(item)
    return render_template(
        "alerts/outbox.html", title="Outbox", messages=messages, deliveries=by_message
    )


@bp.route("/outbox/deliveries/<int:delivery_id>/retry", methods=["POST"])
@requires(Permission.ADMINISTER)
def retry(delivery_id: int):
    try:
        relay.retry(delivery_id, current_user)
    except ServiceError as error:
        flash(str(error))
    else:
        flash("The delivery will be tried again within a minute")
    return redirect(url_for("alerts.outbox"))


@bp.route("/outbox/messages/<int:message_id>/send-again", methods=["POST"])
@requires(Permission.ADMINISTER)
def reroute(message_id: int):
    try:
        alert_routing.reroute(message_id, current_user)
    except ServiceError as error:
        flash(str(error))
    else:
        flash("The message will be sent to the channels now set up")
    return redirect(url_for("alerts.outbox"))

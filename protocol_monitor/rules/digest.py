"""The monthly digest for the group, rendered from a compiled summary document.

One message in four forms: an HTML email body, plain text, Slack Block Kit blocks and the content
of a Teams Adaptive Card. Counts only: no child reference appears in any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from ..i18n import _, format_number, ngettext
from .summary import changes_text, group_totals, with_local_names
from .time import Month


def render_digest(
    document: Mapping[str, Any], base_url: str, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The digest in the current language (``i18n.in_language`` chooses it for a channel or a
    person); ``names``: the authorities' names as the reader reads them, by code."""
    if names:
        document = with_local_names(document, names)
    month = Month.parse(document["month"])
    version = document["version"]
    link_path = f"/summaries/digests/{month}"
    url = f"{base_url.rstrip('/')}{link_path}"
    totals = group_totals(document.get("authorities", []))
    actions = (document.get("actions") or {}).get("totals", {})
    n = {name: format_number(value) for name, value in totals.items()}
    title = _(
        "Call-outs summary for %(month)s (version %(version)s)", month=month.label, version=version
    )
    lines = [
        _(
            "Call-outs: %(callouts)s (same month last year: %(last_year)s)",
            callouts=n["callouts"],
            last_year=n["same_month_last_year"],
        ),
        _("Missing or absent, excluded: %(count)s", count=n["missing_excluded"]),
        _(
            "Arrests: %(arrests)s; criminal outcomes: %(criminal)s",
            arrests=n["arrests"],
            criminal=n["criminal_outcomes"],
        ),
        _("Reviewed: %(reviewed)s of %(callouts)s", reviewed=n["reviewed"], callouts=n["callouts"]),
        _("Rolling 12 months: %(count)s", count=n["rolling_12_months"]),
        _(
            "Children on the repeat list: %(count)s",
            count=format_number(len(document.get("repeat_children", []))),
        ),
        _(
            "Actions open: %(open)s; overdue: %(overdue)s",
            open=format_number(actions.get("open", 0)),
            overdue=format_number(actions.get("overdue", 0)),
        ),
    ]
    changes = changes_text(document.get("changes") or [])
    if version == 1:
        change_text = _("This is the first version for this month.")
    elif changes:
        change_text = _("What changed since version %(version)s:", version=version - 1)
    else:
        change_text = _("No figure changed since version %(version)s.", version=version - 1)
    authority_lines = [
        ngettext(
            "%(name)s (%(code)s): %(count)s call-out, %(last_year)s same month last year",
            "%(name)s (%(code)s): %(count)s call-outs, %(last_year)s same month last year",
            row["callouts"],
            name=row["name"],
            code=row["code"],
            count=format_number(row["callouts"]),
            last_year=format_number(row["same_month_last_year"]),
        )
        for row in document.get("authorities", [])
    ]
    read = _("Read the digest")

    text = "\n".join(
        [
            title,
            "",
            *lines,
            "",
            _("By host authority:"),
            *(f"- {line}" for line in authority_lines),
            "",
            change_text,
            *(f"- {line}" for line in changes),
            "",
            _("Read the digest: %(url)s", url=url),
        ]
    )

    def items(values: list[str]) -> str:
        return "".join(f"<li>{escape(v)}</li>" for v in values)

    html = (
        f'<h1 style="font-family:Arial,sans-serif">{escape(title)}</h1>'
        f"<ul>{items(lines)}</ul>"
        f"<h2>{escape(_('By host authority'))}</h2><ul>{items(authority_lines)}</ul>"
        f"<p>{escape(change_text)}</p>"
        + (f"<ul>{items(changes)}</ul>" if changes else "")
        + f'<p><a href="{escape(url)}">{escape(read)}</a></p>'
    )

    slack_blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(authority_lines) or "–"}},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "\n".join([change_text, *changes])[:2900]},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": read},
                    "url": url,
                }
            ],
        },
    ]
    teams_card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "fallbackText": text,
        "body": [
            {"type": "TextBlock", "size": "Large", "weight": "Bolder", "text": title, "wrap": True},
            *({"type": "TextBlock", "text": line, "wrap": True} for line in lines),
            {"type": "TextBlock", "text": change_text, "wrap": True, "weight": "Bolder"},
            *({"type": "TextBlock", "text": f"- {line}", "wrap": True} for line in changes),
        ],
        "actions": [{"type": "Action.OpenUrl", "title": read, "url": url}],
    }
    return {
        "title": title,
        "lines": [*lines, change_text, *changes],
        "link_path": link_path,
        "url": url,
        "text": text,
        "html": html,
        "slack_blocks": slack_blocks,
        "teams_card": teams_card,
    }

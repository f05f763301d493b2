"""The monthly digest for the group, rendered from a compiled summary document.

One message in four forms: an HTML email body, plain text, Slack Block Kit blocks and the content
of a Teams Adaptive Card. Counts only: no child reference appears in any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from .summary import group_totals
from .time import Month


def render_digest(document: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    month = Month.parse(document["month"])
    version = document["version"]
    link_path = f"/summaries/digests/{month}"
    url = f"{base_url.rstrip('/')}{link_path}"
    totals = group_totals(document.get("authorities", []))
    actions = (document.get("actions") or {}).get("totals", {})
    title = f"Call-outs summary for {month.label} (version {version})"
    lines = [
        f"Call-outs: {totals['callouts']} (same month last year: {totals['same_month_last_year']})",
        f"Missing or absent, excluded: {totals['missing_excluded']}",
        f"Arrests: {totals['arrests']}; criminal outcomes: {totals['criminal_outcomes']}",
        f"Reviewed: {totals['reviewed']} of {totals['callouts']}",
        f"Rolling 12 months: {totals['rolling_12_months']}",
        f"Children on the repeat list: {len(document.get('repeat_children', []))}",
        f"Actions open: {actions.get('open', 0)}; overdue: {actions.get('overdue', 0)}",
    ]
    changes = list(document.get("changes") or [])
    if version == 1:
        change_text = "This is the first version for this month."
    elif changes:
        change_text = f"What changed since version {version - 1}:"
    else:
        change_text = f"No figure changed since version {version - 1}."
    authority_lines = [
        f"{row['name']} ({row['code']}): {row['callouts']} call-outs, "
        f"{row['same_month_last_year']} same month last year"
        for row in document.get("authorities", [])
    ]

    text = "\n".join(
        [
            title,
            "",
            *lines,
            "",
            "By host authority:",
            *(f"- {line}" for line in authority_lines),
            "",
            change_text,
            *(f"- {line}" for line in changes),
            "",
            f"Read the digest: {url}",
        ]
    )

    def items(values: list[str]) -> str:
        return "".join(f"<li>{escape(v)}</li>" for v in values)

    html = (
        f'<h1 style="font-family:Arial,sans-serif">{escape(title)}</h1>'
        f"<ul>{items(lines)}</ul>"
        f"<h2>By host authority</h2><ul>{items(authority_lines)}</ul>"
        f"<p>{escape(change_text)}</p>"
        + (f"<ul>{items(changes)}</ul>" if changes else "")
        + f'<p><a href="{escape(url)}">Read the digest</a></p>'
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
                    "text": {"type": "plain_text", "text": "Read the digest"},
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
        "actions": [{"type": "Action.OpenUrl", "title": "Read the digest", "url": url}],
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

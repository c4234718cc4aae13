"""The schema's relations, as the migrations promise them (one list for every test)."""

TABLES = [
    "governance_settings",
    "tools",
    "tool_integrations",
    "metrics",
    "heartbeat_log",
    "metric_trends_daily",
    "tool_checks",
    "tool_readings",
    "playbook_revisions",
    "stack_version",
]
VIEWS = [
    "tools_current",
    "integrations_named",
    "tool_health_trends",
    "tool_sparklines",
    "tool_status_changes",
    "heartbeat_recent",
    "tool_weekly_trends",
    "retention_setting",
    "tool_check_kinds",
    "tool_readings_named",
    "check_uptime",
    "tool_playbooks",
    "playbook_history",
    "stack_state",
]
SERVICE_ONLY = ["tool_checks", "check_uptime"]
"""Relations readers may not select whole: a check's configuration, and what is derived from it."""

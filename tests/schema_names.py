"""The schema's relations, as the migrations promise them (one list for every test)."""

TABLES = [
    "governance_settings",
    "tools",
    "tool_integrations",
    "metrics",
    "heartbeat_log",
    "metric_trends_daily",
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
]

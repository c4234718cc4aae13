"""The schema's relations, as the migrations promise them (one list for every test)."""

TABLES = [
    "governance_settings",
    "tools",
    "tool_integrations",
    "metrics",
    "heartbeat_log",
    "metric_trends_daily",
    "metric_trends_today",
    "tool_checks",
    "tool_readings",
    "playbook_revisions",
    "stack_version",
    "incident_guards",
    "tool_alert_state",
    "incidents",
    "incident_tools",
    "notification_channels",
    "notification_events",
    "notification_outbox",
    "watchdog_state",
    "maintenance_windows",
    "sla_daily",
    "tool_latest_metrics",
    "tool_document_parts",
    "dashboard_documents",
    "dashboard_changes",
]
# Tables whose secrets only the service role reads (readers see some columns, not `select *`).
PRIVATE_TABLES = ["notification_channels"]
VIEWS = [
    "tools_current",
    "stack_glance",
    "stack_glance_rows",
    "integrations_named",
    "tool_health_trends",
    "tool_daily_trends",
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
    "incidents_named",
    "incident_memberships",
    "incident_events",
    "notifications",
    "maintenance_named",
    "tool_uptime",
    "sla_setting",
    "sla_monthly",
    "stack_facets",
    "tool_health_24h",
    "tool_documents",
    "tool_statuses",
]
SERVICE_ONLY = ["tool_checks", "check_uptime"]
INTERNAL = ["dashboard_documents", "dashboard_changes"]
"""Tables only the functions that keep them read: the kept dashboard documents and their key's
counter (read through sparklines_document() and weekly_trends_document())."""
"""Relations readers may not select whole: a check's configuration, and what is derived from it."""

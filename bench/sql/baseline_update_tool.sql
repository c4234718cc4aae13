update public.bench_tool_state
set health = %(health)s, latency_ms = %(latency_ms)s, uptime_pct = %(uptime_pct)s,
    data_quality = %(data_quality)s, status = %(status)s, last_checked_at = %(ran_at)s
where tool_id = %(tool_id)s

insert into public.metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status)
values (%(tool_id)s, %(ran_at)s, %(health)s, %(latency_ms)s, %(uptime_pct)s, %(data_quality)s, %(status)s)

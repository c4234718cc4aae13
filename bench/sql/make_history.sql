-- Hourly history for every tool from %(oldest_hours)s hours ago to %(newest_hours)s hours ago.
insert into public.metrics (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status)
select t.id, date_trunc('hour', now()) - make_interval(hours => h), 80 + (t.id * h) %% 20,
       100 + (t.id + h) %% 300, 99.5, 95, 'healthy'
from public.tools t, generate_series(%(newest_hours)s::integer, %(oldest_hours)s::integer) as h

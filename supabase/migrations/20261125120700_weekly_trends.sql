-- Each tool's daily trend over the retention window as one row of arrays (oldest day first):
-- the shape a dashboard draws, 1 row per tool instead of 1 per tool per day.
create view public.tool_weekly_trends with (security_invoker = true) as
select
  t.id as tool_id,
  t.slug,
  coalesce(array_agg(d.day order by d.day) filter (where d.day is not null), '{}') as days,
  coalesce(array_agg(d.avg_health order by d.day) filter (where d.day is not null), '{}')
    as avg_health,
  coalesce(array_agg(d.p95_latency_ms order by d.day) filter (where d.day is not null), '{}')
    as p95_latency_ms,
  coalesce(array_agg(d.avg_uptime_pct order by d.day) filter (where d.day is not null), '{}')
    as avg_uptime_pct,
  coalesce(array_agg(d.avg_data_quality order by d.day) filter (where d.day is not null), '{}')
    as avg_data_quality
from public.tools t
left join public.tool_health_trends d on d.tool_id = t.id
group by t.id, t.slug;

revoke all on public.tool_weekly_trends from public, anon, authenticated;
grant select on public.tool_weekly_trends to anon, authenticated, service_role;

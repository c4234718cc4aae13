-- The stack's rows draw each tool's health over the last 24 hours, for the 500 tools shown
-- (issue 11). tool_sparklines starts from every tool and joins every metric of the last day
-- (120,000 rows at 5,000 tools) before its filter on tools applies, and it also aggregates the
-- latencies, which the rows do not show. Here the filter is on metrics' own grouped column, so
-- PostgreSQL pushes `tool_id = any(...)` into each day's (tool_id, recorded_at) index: 12,000
-- rows read for 500 tools. A tool with no sample in the last 24 hours has no row.
create view public.tool_health_24h with (security_invoker = true) as
select m.tool_id, array_agg(m.health order by m.recorded_at) as health
from public.metrics m
where m.recorded_at > now() - interval '24 hours'
group by m.tool_id;

revoke all on public.tool_health_24h from public, anon, authenticated;
grant select on public.tool_health_24h to anon, authenticated, service_role;

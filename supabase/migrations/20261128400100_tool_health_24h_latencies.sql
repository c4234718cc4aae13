-- tool_health_24h also gives the latencies, so Client.sparklines(tool_ids) reads the given
-- tools' last day from it (issue 11).
--
-- tool_sparklines groups every tool's last 24 hours before joining the tools (20261128300100,
-- faster for the whole stack); a filter on its tool_id (`in (...)`) is not pushed through that
-- join, so reading two tools' sparklines grouped every tool's: 29-37 ms at 3,000 tools against
-- 0.6-3.4 ms before. Here tool_id is the grouped column itself, and the filter reaches each
-- day's tool_id index. A reader naming only tool_id and health (the stack's rows) does not pay
-- for the latencies: PostgreSQL drops a view's unused aggregates.
create or replace view public.tool_health_24h with (security_invoker = true) as
select
  m.tool_id,
  array_agg(m.health order by m.recorded_at) as health,
  array_agg(m.latency_ms order by m.recorded_at) as latency_ms
from public.metrics m
where m.recorded_at > now() - interval '24 hours'
group by m.tool_id;

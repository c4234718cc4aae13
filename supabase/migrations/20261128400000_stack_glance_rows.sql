-- The landing page's summary in one read (issue 11): the stack's counts and the tools that
-- need a look, from one evaluation of tools_current.
--
-- Client.summary_with read stack_glance, then the tools not healthy, in two statements: a
-- heartbeat landing between them showed the counts of one run beside the worst tools of the
-- next until the following change. One statement reads one snapshot, and tools_current (the
-- costly part of both reads) is evaluated once instead of twice.
--
-- One row per tool that is not healthy, each carrying the counts; one row of counts with empty
-- tool columns when every tool is healthy (or there are none).
create view public.stack_glance_rows with (security_invoker = true) as
with current_tools as materialized (
  select * from public.tools_current
)
select
  g.tools, g.healthy, g.degraded, g.down, g.maintenance, g.unknown,
  g.health_count, g.health_sum,
  n.id, n.slug, n.name, n.category, n.vendor, n.owner, n.description, n.status,
  n.health, n.latency_ms, n.uptime_pct, n.data_quality, n.last_checked_at,
  n.created_at, n.updated_at, n.check_kind
from (
  select
    count(*) as tools,
    count(*) filter (where c.status = 'healthy') as healthy,
    count(*) filter (where c.status = 'degraded') as degraded,
    count(*) filter (where c.status = 'down') as down,
    count(*) filter (where c.status = 'maintenance') as maintenance,
    count(*) filter (where c.status = 'unknown') as unknown,
    count(c.health) as health_count,
    -- as stack_glance sums it: each real's shortest decimal, what every reader sees
    sum(c.health::text::double precision) as health_sum
  from current_tools c
) g
left join (
  select * from current_tools c where c.status <> 'healthy'
) n on true;

revoke all on public.stack_glance_rows from public, anon, authenticated;
grant select on public.stack_glance_rows to anon, authenticated, service_role;

-- The stack at a glance in one row: how many tools, how many in each status, and the sum and
-- count of their health (the landing page's summary, issue 11).
--
-- The landing page read every tool's current values (5,000 Tool models at 5,000 tools) to
-- count them; this is one row, and the page reads the few tools that need a look by
-- themselves. Health is summed as its text (the shortest decimal of each real, what every
-- reader sees), so the average is the one the readers' own numbers give.
create view public.stack_glance with (security_invoker = true) as
select
  count(*) as tools,
  count(*) filter (where c.status = 'healthy') as healthy,
  count(*) filter (where c.status = 'degraded') as degraded,
  count(*) filter (where c.status = 'down') as down,
  count(*) filter (where c.status = 'maintenance') as maintenance,
  count(*) filter (where c.status = 'unknown') as unknown,
  count(c.health) as health_count,
  sum(c.health::text::double precision) as health_sum
from public.tools_current c;

revoke all on public.stack_glance from public, anon, authenticated;
grant select on public.stack_glance to anon, authenticated, service_role;

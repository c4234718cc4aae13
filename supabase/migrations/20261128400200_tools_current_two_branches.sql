-- tools_current in two branches: the tools in the newest run, and the others (issue 11).
--
-- The view left-joined every tool to a lateral "latest row of this tool", skipped (a one-time
-- filter) for a tool found in the newest run. Skipped, but still rescanned: an Append over every
-- day's partition, set up again for each of 5,000 tools, was 8 of the read's 13 ms (explain
-- analyze at 5,000 tools x 7 days). Now the tools in the newest run are one join, and only the
-- others (an anti-join; usually none) look for their latest row. The same rows
-- (tests/test_tools_current_newest_run.py compares it with the per-tool form); same columns,
-- order and types; the grants stay with the view.
create or replace view public.tools_current with (security_invoker = true) as
with newest as (
  select public.newest_metric_at() as at
)
select
  t.id,
  t.slug,
  t.name,
  t.category,
  t.vendor,
  t.owner,
  t.description,
  l.status,
  l.health,
  l.latency_ms,
  l.uptime_pct,
  l.data_quality,
  l.recorded_at as last_checked_at,
  t.created_at,
  t.updated_at,
  coalesce(c.kind, 'simulated') as check_kind
from public.tools t
join public.metrics l
  on l.tool_id = t.id and l.recorded_at = (select n.at from newest n)
left join public.tool_checks c on c.tool_id = t.id
union all
select
  t.id,
  t.slug,
  t.name,
  t.category,
  t.vendor,
  t.owner,
  t.description,
  coalesce(p.status, 'unknown') as status,
  p.health,
  p.latency_ms,
  p.uptime_pct,
  p.data_quality,
  p.recorded_at as last_checked_at,
  t.created_at,
  t.updated_at,
  coalesce(c.kind, 'simulated') as check_kind
from public.tools t
left join public.tool_checks c on c.tool_id = t.id
left join lateral (
  select lm.status, lm.health, lm.latency_ms, lm.uptime_pct, lm.data_quality, lm.recorded_at
  from public.metrics lm
  where lm.tool_id = t.id
  order by lm.recorded_at desc
  limit 1
) p on true
where not exists (
  select 1 from public.metrics l
  where l.tool_id = t.id and l.recorded_at = (select n.at from newest n)
);

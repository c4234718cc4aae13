-- tools_current finds the newest instant in metrics without reading every day of it.
--
-- 20261127200000 took max(recorded_at) over all of metrics, one probe of a btree. Since
-- 20261127100000 metrics is partitioned by day with a block-range index on recorded_at, which
-- gives no order, so that max read every partition: about 110 ms at 5,000 tools x 7 days, most
-- of a cold page. The max is now taken only over the rows at or after the newest run's ran_at.
--
-- Why the rows are the same: the max over rows at or after any instant is the max over all rows
-- whenever such rows exist, which is the usual case (a run's metrics are recorded at its
-- ran_at). When none exist (the newest run's metrics purged, or none visible to the reader),
-- newest is null, the join to the newest run finds nothing and every tool takes the per-tool
-- probe, exactly as the view always did for a tool missing from the newest run.
--
-- Same columns, order and types; the grants stay with the view.
create or replace view public.tools_current with (security_invoker = true) as
with candidate as (
  -- the newest run, through heartbeat_log's ran_at index (readable by everyone)
  select coalesce(max(h.ran_at), '-infinity'::timestamptz) as at from public.heartbeat_log h
), newest as (
  -- the newest instant in metrics, looked for only at or after that run: run-time partition
  -- pruning keeps the newest day, and its block-range index the last pages of it
  select max(nm.recorded_at) as at from public.metrics nm
  where nm.recorded_at >= (select c.at from candidate c)
)
select
  t.id,
  t.slug,
  t.name,
  t.category,
  t.vendor,
  t.owner,
  t.description,
  coalesce(l.status, p.status, 'unknown') as status,
  coalesce(l.health, p.health) as health,
  coalesce(l.latency_ms, p.latency_ms) as latency_ms,
  coalesce(l.uptime_pct, p.uptime_pct) as uptime_pct,
  coalesce(l.data_quality, p.data_quality) as data_quality,
  coalesce(l.recorded_at, p.recorded_at) as last_checked_at,
  t.created_at,
  t.updated_at,
  coalesce(c.kind, 'simulated') as check_kind
from public.tools t
left join public.tool_checks c on c.tool_id = t.id
left join public.metrics l
  on l.tool_id = t.id and l.recorded_at = (select n.at from newest n)
left join lateral (
  -- only for a tool without a row in the newest run: the condition on l is constant per
  -- tool, so PostgreSQL skips the probe entirely for every other tool
  select lm.status, lm.health, lm.latency_ms, lm.uptime_pct, lm.data_quality, lm.recorded_at
  from public.metrics lm
  where l.tool_id is null and lm.tool_id = t.id
  order by lm.recorded_at desc
  limit 1
) p on true;

-- tools_current without parallel workers (issue 11, the cold read of every tool).
--
-- Since 20261127260000 the newest instant in metrics is a max over the newest day's rows at or
-- after the newest run. The planner gives that max two parallel workers (it expects about
-- 100,000 rows a partition); the work is half a millisecond and starting the workers took
-- 5-12 ms of a 20 ms read at 5,000 tools on a busy 2-core machine (explain analyze, 15 runs
-- alternating: median 23.4 ms with the workers, 11.8 ms without).
--
-- The max now comes from newest_metric_at(), which runs with parallel workers off, and being
-- parallel unsafe (the default) it keeps the whole view's plan serial too: 5,000 rows are no
-- work to share out. The same query, so the same rows (tests/test_tools_current_newest_run.py);
-- same columns, order and types; the grants stay with the view.
create function public.newest_metric_at()
returns timestamptz
language sql
stable
parallel unsafe
set search_path = ''
set max_parallel_workers_per_gather = 0
as $$
  select max(nm.recorded_at)
  from public.metrics nm
  where nm.recorded_at >= (
    -- the newest run, through heartbeat_log's ran_at index (readable by everyone)
    select coalesce(max(h.ran_at), '-infinity'::timestamptz) from public.heartbeat_log h
  )
$$;

comment on function public.newest_metric_at() is
  'The newest recorded_at in metrics at or after the newest run (tools_current''s "newest"), '
  'read without parallel workers.';

-- A reader's function: the view calls it as the reader (security invoker), so it sees what the
-- reader may see.
-- Every role may call it: tools_current (security invoker) calls it as its reader, so a role
-- that may read the tables (a reporting role, pg_read_all_data) must be able to, as it could
-- read the view before; being security invoker, it shows only what the caller's row security
-- already shows.
grant execute on function public.newest_metric_at() to public;

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

-- The trends grouped by tool_id before the tools are named (issue 11, the dashboard's reads).
--
-- What a read of the weekly trends cost (explain analyze at 1,000 tools x 7 days,
-- docs/performance.md, "Dashboard reads, fifth pass"):
-- * every branch of tool_health_trends joined the tools for the slug and then grouped by
--   (tool_id, slug, day): the live day's samples (24,000 late in the UTC day) were joined and
--   sorted with a text key;
-- * the live branch compared each sample with "greatest(coalesce(through + 1, first_day),
--   first_day)::timestamp at time zone 'UTC'", an expression of the bounds evaluated once per
--   row (a time zone lookup each time), and grouped by each sample's UTC day;
-- * tool_weekly_trends joined every tool to that union and sorted the 8,000 rows by slug.
--
-- Now tool_daily_trends holds the union by tool_id (no slug): the live bounds are computed
-- once, as instants; today, the usual live day, is its own branch grouped by tool_id alone; the
-- other live days (before today when no run has rolled up yesterday yet, or after it) keep the
-- per-sample day. tool_health_trends names its rows' tools, and tool_weekly_trends groups its
-- arrays by tool_id and then joins the 1,000 arrays to the tools. Same rows, columns, order of
-- columns and types; the grants stay with the views; all three are security invoker, so every
-- role reads what it read (tests/test_trends_by_tool_id.py compares them with the previous
-- definitions on random data).
--
-- A filter on tool_id reaches each branch (it is a grouping column there) and so each day's
-- tool_id index; a filter on slug does not any more (the join is above the grouping), so
-- Client.health_trends(tool) finds the tool's id first, as status_changes does.

create view public.tool_daily_trends with (security_invoker = true) as
with bounds as (
  select
    ((now() - coalesce(g.retention, interval '7 days')) at time zone 'UTC')::date as first_day,
    g.trends_through as through,
    g.trends_pending as pending,
    (now() at time zone 'UTC')::date as today
  from public.governance_settings g
  where g.id
),
live as (
  -- the first instant read live (after the last rollup, within the retention) and today's
  -- bounds, as instants computed once
  select
    (greatest(coalesce(b.through + 1, b.first_day), b.first_day))::timestamp
      at time zone 'UTC' as since,
    b.today,
    b.today::timestamp at time zone 'UTC' as today_from,
    (b.today + 1)::timestamp at time zone 'UTC' as today_until
  from bounds b
),
pending as (
  select p.day
  from bounds b
  cross join unnest(b.pending) as p(day)
  where p.day >= b.first_day and p.day <= b.through
)
-- the rolled-up days, but for those owed (pending)
select r.tool_id, r.day, r.avg_health, r.avg_latency_ms, r.p95_latency_ms,
  r.avg_uptime_pct, r.avg_data_quality, r.samples
from public.metric_trends_daily r
cross join bounds b
where r.day >= b.first_day and r.day <= b.through and r.day <> all (b.pending)
union all
-- today, live: every sample of it is of one day
select
  m.tool_id,
  l.today,
  avg(m.health)::real,
  avg(m.latency_ms)::real,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real,
  avg(m.uptime_pct)::real,
  avg(m.data_quality)::real,
  count(*)::integer
from public.metrics m
cross join live l
where m.recorded_at >= greatest(l.since, l.today_from) and m.recorded_at < l.today_until
group by m.tool_id, l.today
union all
-- the other live days: before today (no run has rolled up yesterday yet) or after it
select
  m.tool_id,
  (m.recorded_at at time zone 'UTC')::date,
  avg(m.health)::real,
  avg(m.latency_ms)::real,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real,
  avg(m.uptime_pct)::real,
  avg(m.data_quality)::real,
  count(*)::integer
from public.metrics m
cross join live l
where m.recorded_at >= l.since
  and (m.recorded_at < l.today_from or m.recorded_at >= l.today_until)
group by m.tool_id, (m.recorded_at at time zone 'UTC')::date
union all
-- the pending days, live (usually none: the bounds are then null and read nothing)
select
  m.tool_id,
  (m.recorded_at at time zone 'UTC')::date,
  avg(m.health)::real,
  avg(m.latency_ms)::real,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real,
  avg(m.uptime_pct)::real,
  avg(m.data_quality)::real,
  count(*)::integer
from public.metrics m
where m.recorded_at >= (select min(p.day) from pending p)::timestamp at time zone 'UTC'
  and m.recorded_at < (select max(p.day) + 1 from pending p)::timestamp at time zone 'UTC'
  and (m.recorded_at at time zone 'UTC')::date in (select p.day from pending p)
group by m.tool_id, (m.recorded_at at time zone 'UTC')::date;

revoke all on public.tool_daily_trends from public, anon, authenticated;
grant select on public.tool_daily_trends to anon, authenticated, service_role;

-- The same rows as before, each day named by its tool's slug.
create or replace view public.tool_health_trends with (security_invoker = true) as
select d.tool_id, t.slug, d.day, d.avg_health, d.avg_latency_ms, d.p95_latency_ms,
  d.avg_uptime_pct, d.avg_data_quality, d.samples
from public.tool_daily_trends d
join public.tools t on t.id = d.tool_id;

-- Each tool's days as arrays, oldest first; '{}' for a tool without any.
create or replace view public.tool_weekly_trends with (security_invoker = true) as
select
  t.id as tool_id,
  t.slug,
  coalesce(w.days, '{}') as days,
  coalesce(w.avg_health, '{}') as avg_health,
  coalesce(w.p95_latency_ms, '{}') as p95_latency_ms,
  coalesce(w.avg_uptime_pct, '{}') as avg_uptime_pct,
  coalesce(w.avg_data_quality, '{}') as avg_data_quality
from public.tools t
left join (
  select
    d.tool_id,
    array_agg(d.day order by d.day) as days,
    array_agg(d.avg_health order by d.day) as avg_health,
    array_agg(d.p95_latency_ms order by d.day) as p95_latency_ms,
    array_agg(d.avg_uptime_pct order by d.day) as avg_uptime_pct,
    array_agg(d.avg_data_quality order by d.day) as avg_data_quality
  from public.tool_daily_trends d
  group by d.tool_id
) w on w.tool_id = t.id;

-- tool_weekly_trends puts each tool's rolled-up days before its live days instead of sorting
-- the union of both (issue 11, the dashboard's reads; docs/performance.md, "Dashboard reads,
-- sixth pass").
--
-- Every rolled-up day is at most trends_through and every day read live is after it (the live
-- days start at greatest(trends_through + 1, the retention's first day)). So unless a backfill
-- has left a rolled-up day pending (read live among the rolled-up ones), a tool's days in order
-- are its rolled-up days in order, then its live days in order: the arrays of metric_trends_daily
-- are joined to the arrays of the live days and concatenated, without sorting the union of
-- 8,000 rows by tool and day. Today's live aggregate compares each sample with bounds computed
-- once (as tool_daily_trends does) but reads them as one-row subqueries instead of joining a
-- CTE to every sample, and computes only the four values the view shows. With a pending day in
-- range the view is what it was (20261129200000_trends_grouped_by_tool_id.sql): the arrays of
-- tool_daily_trends, sorted by day.
--
-- explain analyze, 1,000 tools x 7 days, prepared, medians of 15: 20.1 -> 17.7 ms with 23 hours
-- of today read live, 16.2 -> 14.0 ms with 5 hours (load 1.1-1.5).
--
-- The same rows: columns, their order and types; the grants stay with the view; security
-- invoker, so every role reads what it read (tests/test_weekly_trends_in_day_order.py compares
-- it with the previous definition on random samples in every rollup state, for each role and in
-- other session time zones and date styles). tool_daily_trends and tool_health_trends are
-- unchanged. One difference, found by review and kept: a null inside trends_pending, which no
-- function writes (only a hand-made update of governance_settings could), made the old view
-- drop every rolled-up day (`day <> all ('{NULL}')` is null); this one still shows them.

create or replace view public.tool_weekly_trends with (security_invoker = true) as
with shape as (
  select
    b.first_day,
    b.through,
    b.today,
    -- the first instant read live, and today's bounds, as instants
    (greatest(coalesce(b.through + 1, b.first_day), b.first_day))::timestamp
      at time zone 'UTC' as since,
    b.today::timestamp at time zone 'UTC' as today_from,
    (b.today + 1)::timestamp at time zone 'UTC' as today_until,
    -- no rolled-up day is read live: every rolled-up day comes before every live day
    not exists (
      select from unnest(b.pending) as p(day) where p.day >= b.first_day and p.day <= b.through
    ) as in_order
  from (
    select
      ((now() - coalesce(g.retention, interval '7 days')) at time zone 'UTC')::date
        as first_day,
      g.trends_through as through,
      g.trends_pending as pending,
      (now() at time zone 'UTC')::date as today
    from public.governance_settings g
    where g.id
  ) b
)
select
  t.id as tool_id,
  t.slug,
  coalesce(r.days, '{}') || coalesce(l.days, '{}') as days,
  coalesce(r.avg_health, '{}') || coalesce(l.avg_health, '{}') as avg_health,
  coalesce(r.p95_latency_ms, '{}') || coalesce(l.p95_latency_ms, '{}') as p95_latency_ms,
  coalesce(r.avg_uptime_pct, '{}') || coalesce(l.avg_uptime_pct, '{}') as avg_uptime_pct,
  coalesce(r.avg_data_quality, '{}') || coalesce(l.avg_data_quality, '{}') as avg_data_quality
from public.tools t
left join (
  -- the rolled-up days
  select
    r.tool_id,
    array_agg(r.day order by r.day) as days,
    array_agg(r.avg_health order by r.day) as avg_health,
    array_agg(r.p95_latency_ms order by r.day) as p95_latency_ms,
    array_agg(r.avg_uptime_pct order by r.day) as avg_uptime_pct,
    array_agg(r.avg_data_quality order by r.day) as avg_data_quality
  from public.metric_trends_daily r
  where r.day >= (select s.first_day from shape s) and r.day <= (select s.through from shape s)
  group by r.tool_id
) r on r.tool_id = t.id
left join (
  -- the live days: today, and any other day after the last rollup
  select
    d.tool_id,
    array_agg(d.day order by d.day) as days,
    array_agg(d.avg_health order by d.day) as avg_health,
    array_agg(d.p95_latency_ms order by d.day) as p95_latency_ms,
    array_agg(d.avg_uptime_pct order by d.day) as avg_uptime_pct,
    array_agg(d.avg_data_quality order by d.day) as avg_data_quality
  from (
    select
      m.tool_id,
      (select s.today from shape s) as day,
      avg(m.health)::real as avg_health,
      (percentile_cont(0.95) within group (order by m.latency_ms))::real as p95_latency_ms,
      avg(m.uptime_pct)::real as avg_uptime_pct,
      avg(m.data_quality)::real as avg_data_quality
    from public.metrics m
    where m.recorded_at >= (select greatest(s.since, s.today_from) from shape s)
      and m.recorded_at < (select s.today_until from shape s)
    group by m.tool_id
    union all
    -- before today (no run has rolled up yesterday yet) or after it
    select
      m.tool_id,
      (m.recorded_at at time zone 'UTC')::date,
      avg(m.health)::real,
      (percentile_cont(0.95) within group (order by m.latency_ms))::real,
      avg(m.uptime_pct)::real,
      avg(m.data_quality)::real
    from public.metrics m
    where m.recorded_at >= (select s.since from shape s)
      and (m.recorded_at < (select s.today_from from shape s)
        or m.recorded_at >= (select s.today_until from shape s))
    group by m.tool_id, (m.recorded_at at time zone 'UTC')::date
  ) d
  group by d.tool_id
) l on l.tool_id = t.id
-- (no settings row: no bounds, so every tool with no days, as before)
where coalesce((select s.in_order from shape s), true)
union all
-- a backfill under way left a rolled-up day pending: every day of the union, sorted, as before
select
  t.id,
  t.slug,
  coalesce(w.days, '{}'),
  coalesce(w.avg_health, '{}'),
  coalesce(w.p95_latency_ms, '{}'),
  coalesce(w.avg_uptime_pct, '{}'),
  coalesce(w.avg_data_quality, '{}')
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
) w on w.tool_id = t.id
where not coalesce((select s.in_order from shape s), true);

-- Issue 11, storage: a backfill rolls each past day up once, not once per hour. Before, each
-- backfilled hour of a past day re-rolled that whole day into metric_trends_daily (deleting and
-- re-inserting every tool's row), so a 168-hour backfill left the table about 95 % dead tuples
-- and re-read a growing day of samples every hour. What changes:
-- * governance_settings.trends_pending: the past days whose rollup is owed (in metrics, not yet
--   rolled up since their latest samples arrived).
-- * aggregate_metric_trends: when record_heartbeat writes a backfill run (it sets
--   worksinprod.defer_trend_rollups for its transaction, 20261127110100), the past days that
--   run touches are added to trends_pending instead of being rolled up; every other owed day
--   (pending days the statement does not touch, days that ended since the last rollup) is rolled
--   up as before. A backfill runs oldest first, so a day is rolled up once, by the first run of
--   the next day. Any other write (a scheduled or manual run, a direct insert) rolls up what it
--   touches at once, as before.
-- * tool_health_trends reads a pending day live from metrics, as it reads today, so its rows are
--   the same at every moment as before (tests/test_trend_rollups.py).

alter table public.governance_settings
  add column trends_pending date[] not null default '{}';

create or replace function public.aggregate_metric_trends()
returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_today date := (now() at time zone 'UTC')::date;
  v_through date;
  v_pending date[];
  v_from date;
  v_touched date[];
  v_owed date[];
  v_defer boolean := coalesce(current_setting('worksinprod.defer_trend_rollups', true), '') = 'on';
begin
  -- The row lock makes concurrent inserts take turns here, so two never roll up one day twice.
  select g.trends_through, g.trends_pending into v_through, v_pending
  from public.governance_settings g where g.id for update;
  v_from := coalesce(v_through + 1,
    (select (min(m.recorded_at) at time zone 'UTC')::date from public.metrics m));
  select coalesce(array_agg(distinct (i.recorded_at at time zone 'UTC')::date), '{}')
  into v_touched
  from inserted i
  where i.recorded_at < v_today::timestamp at time zone 'UTC';
  -- Owed: the days this statement touched, the pending ones, the days ended since the last run.
  select coalesce(array_agg(distinct d), '{}') into v_owed
  from (
    select unnest(v_touched) as d
    union
    select unnest(v_pending)
    union
    select s::date from generate_series(v_from, v_today - 1, interval '1 day') as s
  ) as owed;
  if v_defer then
    v_pending := array(select d from unnest(v_owed) as d where d = any (v_touched) order by d);
    v_owed := array(select d from unnest(v_owed) as d where d <> all (v_touched));
  else
    v_pending := '{}';
  end if;
  if cardinality(v_owed) > 0 then
    perform public.roll_up_trends(v_owed);
  end if;
  update public.governance_settings
  set trends_through = v_today - 1, trends_pending = v_pending
  where id
    and (trends_through is distinct from v_today - 1 or trends_pending is distinct from v_pending);
  return null;
end
$$;

-- As 20261125120600_trend_rollups.sql, with the pending days read live like today: the rollups
-- of days not pending, the live aggregate of the days after the last rollup, and the live
-- aggregate of the pending days (usually none: the bounds are then null and read nothing).
create or replace view public.tool_health_trends with (security_invoker = true) as
with bounds as (
  select
    ((now() - coalesce(g.retention, interval '7 days')) at time zone 'UTC')::date as first_day,
    g.trends_through as through,
    g.trends_pending as pending
  from public.governance_settings g
  where g.id
),
pending as (
  select p.day
  from bounds b
  cross join unnest(b.pending) as p(day)
  where p.day >= b.first_day and p.day <= b.through
)
select d.tool_id, t.slug, d.day, d.avg_health, d.avg_latency_ms, d.p95_latency_ms,
  d.avg_uptime_pct, d.avg_data_quality, d.samples
from public.metric_trends_daily d
join public.tools t on t.id = d.tool_id
cross join bounds b
where d.day >= b.first_day and d.day <= b.through and d.day <> all (b.pending)
union all
select
  m.tool_id,
  t.slug,
  (m.recorded_at at time zone 'UTC')::date as day,
  avg(m.health)::real,
  avg(m.latency_ms)::real,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real,
  avg(m.uptime_pct)::real,
  avg(m.data_quality)::real,
  count(*)::integer
from public.metrics m
join public.tools t on t.id = m.tool_id
cross join bounds b
where m.recorded_at >= (greatest(coalesce(b.through + 1, b.first_day), b.first_day))::timestamp
  at time zone 'UTC'
group by m.tool_id, t.slug, (m.recorded_at at time zone 'UTC')::date
union all
select
  m.tool_id,
  t.slug,
  (m.recorded_at at time zone 'UTC')::date as day,
  avg(m.health)::real,
  avg(m.latency_ms)::real,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real,
  avg(m.uptime_pct)::real,
  avg(m.data_quality)::real,
  count(*)::integer
from public.metrics m
join public.tools t on t.id = m.tool_id
where m.recorded_at >= (select min(p.day) from pending p)::timestamp at time zone 'UTC'
  and m.recorded_at < (select max(p.day) + 1 from pending p)::timestamp at time zone 'UTC'
  and (m.recorded_at at time zone 'UTC')::date in (select p.day from pending p)
group by m.tool_id, t.slug, (m.recorded_at at time zone 'UTC')::date;

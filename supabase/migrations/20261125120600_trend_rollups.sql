-- Governance, part two: trend aggregation. A completed UTC day is rolled up once into
-- metric_trends_daily; tool_health_trends reads those rows and aggregates live only the days not
-- rolled up yet (normally just today). Reading a week of trends then costs one day of samples,
-- not seven (measured in bench/dashboard_reads.py).

create table public.metric_trends_daily (
  tool_id bigint not null references public.tools (id) on delete cascade,
  day date not null,
  samples integer not null,
  avg_health real not null,
  avg_latency_ms real not null,
  p95_latency_ms real not null,
  avg_uptime_pct real not null,
  avg_data_quality real not null,
  primary key (tool_id, day),
  constraint metric_trends_daily_samples_positive check (samples > 0)
);

-- The last completed day rolled up (null: none yet).
alter table public.governance_settings add column trends_through date;

-- Recompute the rollups of the given UTC days from metrics.
create function public.roll_up_trends(days date[])
returns void
language sql
set search_path = public, pg_temp
as $$
  delete from public.metric_trends_daily where day = any (days);
  insert into public.metric_trends_daily
    (tool_id, day, samples, avg_health, avg_latency_ms, p95_latency_ms, avg_uptime_pct,
     avg_data_quality)
  select
    m.tool_id,
    (m.recorded_at at time zone 'UTC')::date,
    count(*),
    avg(m.health),
    avg(m.latency_ms),
    percentile_cont(0.95) within group (order by m.latency_ms),
    avg(m.uptime_pct),
    avg(m.data_quality)
  from public.metrics m
  where m.recorded_at >= (select min(d) from unnest(days) as d)::timestamp at time zone 'UTC'
    and m.recorded_at < ((select max(d) from unnest(days) as d) + 1)::timestamp at time zone 'UTC'
    and (m.recorded_at at time zone 'UTC')::date = any (days)
  group by 1, 2;
$$;

-- After each insert into metrics: roll up the past days it touched (a backfill, a late run), and
-- any day that has ended since the last rollup (the first run after midnight UTC). An ordinary
-- hourly run touches only today, so this costs it one scan of its own new rows.
create function public.aggregate_metric_trends()
returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_today date := (now() at time zone 'UTC')::date;
  v_through date;
  v_from date;
  v_days date[];
begin
  -- The row lock makes concurrent inserts take turns here, so two never roll up one day twice.
  select g.trends_through into v_through from public.governance_settings g where g.id for update;
  v_from := coalesce(v_through + 1,
    (select (min(m.recorded_at) at time zone 'UTC')::date from public.metrics m));
  select array_agg(distinct d) into v_days
  from (
    select (i.recorded_at at time zone 'UTC')::date as d
    from inserted i
    where i.recorded_at < v_today::timestamp at time zone 'UTC'
    union
    select s::date from generate_series(v_from, v_today - 1, interval '1 day') as s
  ) as touched;
  if v_days is not null then
    perform public.roll_up_trends(v_days);
  end if;
  if v_through is distinct from v_today - 1 then
    update public.governance_settings set trends_through = v_today - 1 where id;
  end if;
  return null;
end
$$;

-- Trigger names order their firing: aggregate first, then purge.
create trigger metrics_aggregate_trends
after insert on public.metrics
referencing new table as inserted
for each statement
execute function public.aggregate_metric_trends();

-- The purge now also drops rollups of days wholly past retention.
create or replace function public.purge_old_metrics()
returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_cutoff timestamptz := now() - coalesce(
    (select g.retention from public.governance_settings g where g.id), interval '7 days');
begin
  delete from public.metrics where recorded_at < v_cutoff;
  delete from public.metric_trends_daily where day < (v_cutoff at time zone 'UTC')::date;
  return null;
end
$$;

create or replace view public.tool_health_trends with (security_invoker = true) as
with bounds as (
  select
    ((now() - coalesce(g.retention, interval '7 days')) at time zone 'UTC')::date as first_day,
    g.trends_through as through
  from public.governance_settings g
  where g.id
)
select d.tool_id, t.slug, d.day, d.avg_health, d.avg_latency_ms, d.p95_latency_ms,
  d.avg_uptime_pct, d.avg_data_quality, d.samples
from public.metric_trends_daily d
join public.tools t on t.id = d.tool_id
cross join bounds b
where d.day >= b.first_day and d.day <= b.through
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
group by m.tool_id, t.slug, (m.recorded_at at time zone 'UTC')::date;

revoke all on public.metric_trends_daily from public, anon, authenticated;
grant select on public.metric_trends_daily to anon, authenticated;
grant select, insert, update, delete on public.metric_trends_daily to service_role;
revoke execute on function public.roll_up_trends(date[]), public.aggregate_metric_trends()
  from public, anon, authenticated;
grant execute on function public.roll_up_trends(date[]), public.aggregate_metric_trends()
  to service_role;

alter table public.metric_trends_daily enable row level security;
create policy "readable by everyone" on public.metric_trends_daily
  for select to anon, authenticated using (true);
create policy "written by the service role" on public.metric_trends_daily
  for all to service_role using (true) with check (true);

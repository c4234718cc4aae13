-- Issue 11, storage and backfill speed: a backfill writes each past day's sla_daily rows once.
-- Before, _record_sla added each run's samples to its tool-day rows with an upsert, so a
-- 168-hour backfill rewrote every tool-day row once an hour and left sla_daily about 95 % dead
-- tuples. What changes:
-- * governance_settings.sla_pending: the times of backfill runs whose samples are not yet in
--   sla_daily (their metrics hold them, statuses already set by maintenance).
-- * _record_sla: a backfill run is added to sla_pending instead; the pending runs of other days
--   are added to sla_daily at once, in one grouped upsert. Any other run (scheduled, manual)
--   adds itself and every pending run. A backfill runs oldest first, so each day's rows are
--   written once, by the first run of the next day (its last day's by the next scheduled run).
-- * metrics_keep_sla_pending: before the purge deletes the metrics of a pending run (no run came
--   for the whole retention), its samples go into sla_daily.
-- * sla_monthly adds the pending runs' samples, read live from metrics, so its numbers are the
--   same at every moment as before (tests/test_sla_backfill.py). Sums of uptime are added in
--   another grouping, equal as long as the double precision sums are exact (they are for the
--   real-valued readings a day holds, unless values far below 0.001 % mix with large ones).

alter table public.governance_settings
  add column sla_pending timestamptz[] not null default '{}';

-- The samples of the runs at p_runs into their UTC days, as _record_sla added one run's before:
-- latencies appended in run order, uptime summed in double precision in run order.
create function public._add_sla_runs(p_runs timestamptz[])
returns void
language sql
set search_path = ''
as $$
  insert into public.sla_daily as d
    (tool_id, day, samples, maintenance_samples, down_samples, uptime_pct_sum, latencies)
  select m.tool_id, (m.recorded_at at time zone 'UTC')::date, count(*),
    count(*) filter (where m.status = 'maintenance'),
    count(*) filter (where m.status = 'down'),
    coalesce(sum(m.uptime_pct::double precision order by m.recorded_at)
      filter (where m.status <> 'maintenance'), 0),
    coalesce(array_agg(m.latency_ms order by m.recorded_at)
      filter (where m.status <> 'maintenance'), '{}')
  from public.metrics m
  -- The bounds let the executor skip the day partitions no run is in.
  where m.recorded_at >= (select min(r) from unnest(p_runs) as r)
    and m.recorded_at <= (select max(r) from unnest(p_runs) as r)
    and m.recorded_at = any (p_runs)
  group by m.tool_id, (m.recorded_at at time zone 'UTC')::date
  on conflict (tool_id, day) do update
  set samples = d.samples + excluded.samples,
      maintenance_samples = d.maintenance_samples + excluded.maintenance_samples,
      down_samples = d.down_samples + excluded.down_samples,
      uptime_pct_sum = d.uptime_pct_sum + excluded.uptime_pct_sum,
      latencies = d.latencies || excluded.latencies
$$;

-- As 20261126133000_sla_reports.sql, with a backfill's days deferred (see the top).
create or replace function public._record_sla(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_months integer := coalesce(
    (select g.sla_months from public.governance_settings g where g.id), 13);
  v_cutoff timestamptz := date_trunc('month', now() at time zone 'UTC')
    at time zone 'UTC' - make_interval(months => v_months - 1);
  v_day date := (p_ran_at at time zone 'UTC')::date;
  v_defer boolean;
  v_runs timestamptz[];
  v_due timestamptz[];
  v_pending timestamptz[];
begin
  v_defer := exists (
    select 1 from public.heartbeat_log h where h.id = p_run and h.source = 'backfill');
  -- The row lock makes concurrent runs take turns, so no pending run is added twice.
  select g.sla_pending || p_ran_at into v_runs
  from public.governance_settings g where g.id for update;
  v_due := array(select r from unnest(v_runs) as r
    where not v_defer or (r at time zone 'UTC')::date <> v_day order by r);
  v_pending := array(select r from unnest(v_runs) as r
    where v_defer and (r at time zone 'UTC')::date = v_day order by r);
  if cardinality(v_due) > 0 then
    perform public._add_sla_runs(v_due);
  end if;
  update public.governance_settings g set sla_pending = v_pending
  where g.id and g.sla_pending is distinct from v_pending;
  delete from public.sla_daily d where d.day < (v_cutoff at time zone 'UTC')::date;
  delete from public.incidents i where i.resolved_at < v_cutoff;
end
$$;

-- Before metrics_purge_old (triggers of one event fire in name order): the pending runs the
-- purge is about to delete are added to sla_daily first.
create function public.keep_sla_pending()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_cutoff timestamptz;
  v_due timestamptz[];
begin
  if not exists (select 1 from public.governance_settings g
                 where g.id and cardinality(g.sla_pending) > 0) then
    return null;
  end if;
  v_cutoff := public._retention_cutoff();
  select array(select r from unnest(g.sla_pending) as r where r < v_cutoff order by r)
  into v_due
  from public.governance_settings g where g.id for update;
  if cardinality(v_due) > 0 then
    perform public._add_sla_runs(v_due);
    update public.governance_settings g
    set sla_pending = array(select r from unnest(g.sla_pending) as r where r >= v_cutoff order by r)
    where g.id;
  end if;
  return null;
end
$$;

create trigger metrics_keep_sla_pending
after insert on public.metrics
for each statement
execute function public.keep_sla_pending();

-- As 20261126133000_sla_reports.sql, with the pending runs' samples read live from metrics
-- beside sla_daily (usually none: then the bounds are null and read nothing).
create or replace view public.sla_monthly with (security_invoker = true) as
with pending as (
  select g.sla_pending as runs,
    (select min(r) from unnest(g.sla_pending) as r) as first_run,
    (select max(r) from unnest(g.sla_pending) as r) as last_run
  from public.governance_settings g where g.id
),
sla_days as (
  select d.tool_id, d.day, d.samples, d.maintenance_samples, d.down_samples,
    d.uptime_pct_sum, d.latencies
  from public.sla_daily d
  union all
  select m.tool_id, (m.recorded_at at time zone 'UTC')::date, count(*)::integer,
    (count(*) filter (where m.status = 'maintenance'))::integer,
    (count(*) filter (where m.status = 'down'))::integer,
    coalesce(sum(m.uptime_pct::double precision) filter (where m.status <> 'maintenance'), 0),
    coalesce(array_agg(m.latency_ms) filter (where m.status <> 'maintenance'), '{}')
  from public.metrics m
  cross join pending p
  where m.recorded_at >= p.first_run and m.recorded_at <= p.last_run
    and m.recorded_at = any (p.runs)
  group by m.tool_id, (m.recorded_at at time zone 'UTC')::date
),
days as (
  select d.tool_id, date_trunc('month', d.day)::date as month,
    sum(d.samples)::integer as samples,
    sum(d.maintenance_samples)::integer as maintenance_samples,
    sum(d.down_samples)::integer as down_samples,
    (sum(d.uptime_pct_sum) / nullif(sum(d.samples - d.maintenance_samples), 0))::real as uptime_pct
  from sla_days d
  group by 1, 2
),
latency as (
  select d.tool_id, date_trunc('month', d.day)::date as month,
    (percentile_cont(0.95) within group (order by l.ms))::real as p95_latency_ms
  from sla_days d
  cross join lateral unnest(d.latencies) as l (ms)
  group by 1, 2
),
stays as (
  select it.tool_id, i.tool_id = it.tool_id as is_root, it.joined_at,
    coalesce(it.left_at, now()) as until, it.left_at,
    m.month::date as month,
    m.month at time zone 'UTC' as month_start,
    (m.month + interval '1 month') at time zone 'UTC' as month_end
  from public.incident_tools it
  join public.incidents i on i.id = it.incident_id
  cross join lateral generate_series(
    date_trunc('month', it.joined_at at time zone 'UTC'),
    date_trunc('month', coalesce(it.left_at, now()) at time zone 'UTC'),
    interval '1 month') as m (month)
),
incidents as (
  select s.tool_id, s.month,
    count(*) filter (where s.joined_at >= s.month_start)::integer as incidents,
    count(*) filter (where s.joined_at >= s.month_start and s.is_root)::integer as root_incidents,
    extract(epoch from sum(least(s.until, s.month_end) - greatest(s.joined_at, s.month_start)))
      ::double precision as downtime_seconds,
    extract(epoch from avg(s.left_at - s.joined_at)
      filter (where s.left_at >= s.month_start and s.left_at < s.month_end))::double precision
      as mttr_seconds
  from stays s
  group by 1, 2
)
select coalesce(d.month, n.month) as month, t.id as tool_id, t.slug, t.name,
  coalesce(d.samples, 0) as samples,
  coalesce(d.maintenance_samples, 0) as maintenance_samples,
  coalesce(d.down_samples, 0) as down_samples,
  d.uptime_pct, l.p95_latency_ms,
  coalesce(n.incidents, 0) as incidents,
  coalesce(n.root_incidents, 0) as root_incidents,
  coalesce(n.downtime_seconds, 0) as downtime_seconds,
  n.mttr_seconds
from days d
left join latency l on l.tool_id = d.tool_id and l.month = d.month
full join incidents n on n.tool_id = d.tool_id and n.month = d.month
join public.tools t on t.id = coalesce(d.tool_id, n.tool_id);

revoke execute on function public._add_sla_runs(timestamptz[]), public.keep_sla_pending()
  from public, anon, authenticated;
grant execute on function public._add_sla_runs(timestamptz[]), public.keep_sla_pending()
  to service_role;

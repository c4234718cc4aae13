-- SLA reports (issue 10): per tool and month, uptime excluding maintenance, incidents, downtime,
-- mean time to recover and p95 latency. Raw metrics go after the retention (7 days by default),
-- so each run also adds its samples to sla_daily, kept (with resolved incidents) for
-- governance_settings.sla_months (13 by default). A table of its own, filled from
-- _after_heartbeat, so the shared rollup and purge triggers on metrics stay as they are.

alter table public.governance_settings
  add column sla_months smallint not null default 13,
  add constraint governance_settings_sla_months_range check (sla_months between 1 and 120);

create table public.sla_daily (
  tool_id bigint not null references public.tools (id) on delete cascade,
  day date not null,
  samples integer not null default 0,
  maintenance_samples integer not null default 0,
  down_samples integer not null default 0,
  -- Over the samples outside maintenance: uptime as tool_uptime counts it, and every latency,
  -- so a month's p95 is exact rather than a percentile of daily percentiles.
  uptime_pct_sum double precision not null default 0,
  latencies real[] not null default '{}',
  primary key (tool_id, day),
  constraint sla_daily_counts check (samples >= 0 and maintenance_samples between 0 and samples
    and down_samples between 0 and samples - maintenance_samples)
);

-- How long reports are kept, in months, as a number any store can read.
create view public.sla_setting with (security_invoker = true) as
select g.sla_months::integer as months from public.governance_settings g where g.id;

-- One run's samples into its UTC day, after maintenance has set the statuses; then drop days
-- and resolved incidents older than the kept months.
create function public._record_sla(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_months integer := coalesce(
    (select g.sla_months from public.governance_settings g where g.id), 13);
  v_cutoff timestamptz := date_trunc('month', now() at time zone 'UTC')
    at time zone 'UTC' - make_interval(months => v_months - 1);
begin
  insert into public.sla_daily as d
    (tool_id, day, samples, maintenance_samples, down_samples, uptime_pct_sum, latencies)
  select m.tool_id, (p_ran_at at time zone 'UTC')::date, count(*),
    count(*) filter (where m.status = 'maintenance'),
    count(*) filter (where m.status = 'down'),
    coalesce(sum(m.uptime_pct) filter (where m.status <> 'maintenance'), 0),
    coalesce(array_agg(m.latency_ms) filter (where m.status <> 'maintenance'), '{}')
  from public.metrics m
  where m.recorded_at = p_ran_at
  group by m.tool_id
  on conflict (tool_id, day) do update
  set samples = d.samples + excluded.samples,
      maintenance_samples = d.maintenance_samples + excluded.maintenance_samples,
      down_samples = d.down_samples + excluded.down_samples,
      uptime_pct_sum = d.uptime_pct_sum + excluded.uptime_pct_sum,
      latencies = d.latencies || excluded.latencies;
  delete from public.sla_daily d where d.day < (v_cutoff at time zone 'UTC')::date;
  delete from public.incidents i where i.resolved_at < v_cutoff;
end
$$;

create or replace function public._after_heartbeat(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform public._apply_maintenance(p_run, p_ran_at);  -- first: maintenance suppresses incidents
  perform public._apply_incidents(p_run, p_ran_at);
  perform public._watchdog_heard(p_run, p_ran_at);
  perform public._record_sla(p_run, p_ran_at);  -- SLA reports: after maintenance set statuses
end
$$;

-- Per tool and UTC month. Samples come from sla_daily; incidents from incident_tools (a tool
-- counts every incident it was part of, as root or downstream): downtime is its time in them
-- within the month (an open one up to now), time to recover the mean of its stays that ended
-- within the month.
create view public.sla_monthly with (security_invoker = true) as
with days as (
  select d.tool_id, date_trunc('month', d.day)::date as month,
    sum(d.samples)::integer as samples,
    sum(d.maintenance_samples)::integer as maintenance_samples,
    sum(d.down_samples)::integer as down_samples,
    (sum(d.uptime_pct_sum) / nullif(sum(d.samples - d.maintenance_samples), 0))::real as uptime_pct
  from public.sla_daily d
  group by 1, 2
),
latency as (
  select d.tool_id, date_trunc('month', d.day)::date as month,
    (percentile_cont(0.95) within group (order by l.ms))::real as p95_latency_ms
  from public.sla_daily d
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

create function public.set_sla_retention(payload jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_months jsonb;
begin
  perform public._check_keys(payload, array['months']);
  v_months := payload -> 'months';
  if v_months is null or jsonb_typeof(v_months) <> 'number'
     or (v_months #>> '{}')::numeric not between 1 and 120
     or (v_months #>> '{}')::numeric <> trunc((v_months #>> '{}')::numeric) then
    perform public._raise_invalid('months', 'must be a whole number of months from 1 to 120');
  end if;
  update public.governance_settings set sla_months = (v_months #>> '{}')::smallint where id;
  return jsonb_build_object('months', (v_months #>> '{}')::integer);
end
$$;

revoke all on public.sla_daily from public, anon, authenticated;
grant select on public.sla_daily to anon, authenticated;
grant select, insert, update, delete on public.sla_daily to service_role;
revoke all on public.sla_monthly, public.sla_setting from public, anon, authenticated;
grant select on public.sla_monthly, public.sla_setting to anon, authenticated, service_role;

revoke execute on function public._record_sla(bigint, timestamptz),
  public.set_sla_retention(jsonb) from public, anon, authenticated;
grant execute on function public._record_sla(bigint, timestamptz),
  public.set_sla_retention(jsonb) to service_role;

alter table public.sla_daily enable row level security;
create policy "readable by everyone" on public.sla_daily
  for select to anon, authenticated using (true);
create policy "written by the service role" on public.sla_daily
  for all to service_role using (true) with check (true);

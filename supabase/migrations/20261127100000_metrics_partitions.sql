-- Issue 11, storage: metrics partitioned by UTC day on recorded_at, so the purge drops whole days
-- (no dead rows, no vacuum debt, no full-page images of half-emptied pages in the next run's WAL)
-- and a week of history costs less. What changes:
-- * public.metrics is a partitioned table with the same name, columns (less id, which nothing
--   read), constraints, grants, row-level security and triggers; its rows are copied over.
-- * Its partitions, one per UTC day, live in the schema metric_partitions, which neither the API
--   nor anon/authenticated can reach: reads go through public.metrics and its policies.
-- * A partition is made on demand by public.ensure_metric_partitions(first, last), which
--   record_heartbeat calls for its run's time (20261127110100) and direct writers call first.
--   There is no default partition: a row for a day without one is refused.
-- * purge_old_metrics drops the partitions wholly older than the retention and deletes the older
--   rows of the one partition the cutoff falls in.
-- * tool_readings referenced (tool_id, recorded_at) of metrics with on delete cascade; PostgreSQL
--   refuses to drop a partition that a foreign key references (and to detach one inside the
--   insert's own trigger), so a reading now references its tool, and the purge deletes the
--   readings older than the cutoff as the cascade did. A reading is only ever written by
--   record_heartbeat beside its own metric (_record_readings), so none is orphaned.
-- * The views that read metrics are dropped and recreated from their current definitions (read
--   from the catalog at migration time, so a definition changed by any earlier migration is kept
--   as it is), with their options and grants.

create schema metric_partitions;
revoke all on schema metric_partitions from public, anon, authenticated, service_role;

-- The partition of one UTC day: metric_partitions.metrics_YYYYMMDD.
create function public._metric_partition_name(day date)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'metrics_' || to_char(day, 'YYYYMMDD')
$$;

-- Make the partitions of every UTC day from first_at to last_at that do not exist yet.
-- Security definer: only the table's owner may add a partition, and writers are service_role.
-- It first takes the governance row's lock, which the rollup trigger takes later in the same
-- transaction anyway: concurrent writers then queue here, before touching metrics, so the purge's
-- drop of a partition (an exclusive lock on metrics) never waits on a writer that waits on it.
create function public.ensure_metric_partitions(first_at timestamptz, last_at timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_first date := (first_at at time zone 'UTC')::date;
  v_last date := (last_at at time zone 'UTC')::date;
  v_day date;
  v_name text;
  v_made integer := 0;
begin
  if first_at is null or last_at is null or not isfinite(first_at) or not isfinite(last_at)
    or last_at < first_at then
    raise exception 'first_at and last_at must be finite moments, first_at not after last_at'
      using errcode = '22023', detail = 'first_at';
  end if;
  if v_last - v_first > 400 then
    raise exception 'last_at is more than 400 days after first_at'
      using errcode = '22023', detail = 'last_at';
  end if;
  perform 1 from public.governance_settings g where g.id for update;
  v_day := v_first;
  while v_day <= v_last loop
    v_name := public._metric_partition_name(v_day);
    if to_regclass(format('metric_partitions.%I', v_name)) is null then
      execute format(
        'create table metric_partitions.%I partition of public.metrics '
        'for values from (%L) to (%L)',
        v_name, v_day::timestamp at time zone 'UTC', (v_day + 1)::timestamp at time zone 'UTC');
      -- Only through public.metrics (its grants and policies); never directly.
      execute format(
        'revoke all on metric_partitions.%I from public, anon, authenticated, service_role', v_name);
      execute format('alter table metric_partitions.%I enable row level security', v_name);
      v_made := v_made + 1;
    end if;
    v_day := v_day + 1;
  end loop;
  return v_made;
end
$$;

-- Drop every day partition wholly older than cutoff (its upper bound at or before it). The
-- partitions' names carry their day; any other partition is left alone.
create function public._drop_metric_partitions(cutoff timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
  v_dropped integer := 0;
begin
  for v_name in
    select c.relname
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where i.inhparent = 'public.metrics'::regclass
      and n.nspname = 'metric_partitions'
      and c.relname ~ '^metrics_[0-9]{8}$'
      and (to_date(substr(c.relname, 9), 'YYYYMMDD') + 1)::timestamp at time zone 'UTC' <= cutoff
    order by c.relname
  loop
    execute format('drop table metric_partitions.%I', v_name);
    v_dropped := v_dropped + 1;
  end loop;
  return v_dropped;
end
$$;

-- Two views tested a left join's miss with metrics.id; recorded_at (not null) tells the same, so
-- id can go. Each is its latest definition (20261125120200_views.sql, 20261126131000_maintenance_
-- windows.sql) with only m.id replaced by m.recorded_at: the same columns and the same rows.
create or replace view public.tool_sparklines with (security_invoker = true) as
select
  t.id as tool_id,
  t.slug,
  coalesce(array_agg(m.health order by m.recorded_at) filter (where m.recorded_at is not null),
    '{}') as health,
  coalesce(array_agg(m.latency_ms order by m.recorded_at) filter (where m.recorded_at is not null),
    '{}') as latency_ms
from public.tools t
left join public.metrics m
  on m.tool_id = t.id and m.recorded_at > now() - interval '24 hours'
group by t.id, t.slug;

create or replace view public.tool_uptime with (security_invoker = true) as
select t.id as tool_id, t.slug,
  (avg(m.uptime_pct) filter (where m.status <> 'maintenance'))::real as uptime_pct,
  count(m.recorded_at) filter (where m.status <> 'maintenance')::integer as samples,
  count(m.recorded_at) filter (where m.status = 'maintenance')::integer as maintenance_samples
from public.tools t
left join public.metrics m on m.tool_id = t.id
group by t.id, t.slug;

-- The views over metrics, with their definitions, options and grants, before they are dropped.
create temporary table metric_views on commit drop as
with recursive deps(oid, level) as (
  select distinct r.ev_class, 1
  from pg_depend d
  join pg_rewrite r on r.oid = d.objid
  where d.refobjid = 'public.metrics'::regclass and r.ev_class <> 'public.metrics'::regclass
  union
  select distinct r.ev_class, deps.level + 1
  from deps
  join pg_depend d on d.refobjid = deps.oid
  join pg_rewrite r on r.oid = d.objid
  where r.ev_class <> deps.oid
)
select
  c.relname as name,
  max(deps.level) as level,
  pg_get_viewdef(c.oid) as definition,
  c.reloptions as options,
  obj_description(c.oid, 'pg_class') as description,
  (select coalesce(array_agg(format('grant %s on public.%I to %s', a.privilege_type, c.relname,
      case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end)),
      '{}')
   from aclexplode(c.relacl) a
   where a.grantee <> c.relowner) as grants
from deps
join pg_class c on c.oid = deps.oid
where c.relkind = 'v'
group by c.oid, c.relname, c.reloptions, c.relacl, c.relowner;

do $$
declare
  v record;
begin
  for v in select name from metric_views order by level desc, name loop
    execute format('drop view public.%I', v.name);
  end loop;
end
$$;

alter table public.tool_readings drop constraint tool_readings_tool_id_recorded_at_fkey;
alter table public.tool_readings add constraint tool_readings_tool_id_fkey
  foreign key (tool_id) references public.tools (id) on delete cascade;

alter table public.metrics rename to metrics_unpartitioned;
alter index public.metrics_pkey rename to metrics_unpartitioned_pkey;
alter index public.metrics_tool_time_key rename to metrics_unpartitioned_tool_time_key;
alter index public.metrics_recorded_at_idx rename to metrics_unpartitioned_recorded_at_idx;

create table public.metrics (
  tool_id bigint not null,
  recorded_at timestamptz not null,
  health real not null,
  latency_ms real not null,
  uptime_pct real not null,
  data_quality real not null,
  status text not null,
  -- One sample per tool per instant; the same index serves "this tool's history" and "its latest".
  constraint metrics_tool_time_key unique (tool_id, recorded_at),
  constraint metrics_tool_id_fkey foreign key (tool_id) references public.tools (id)
    on delete cascade,
  constraint metrics_health_range check (health between 0 and 100),
  constraint metrics_latency_range check (latency_ms >= 0),
  constraint metrics_uptime_range check (uptime_pct between 0 and 100),
  constraint metrics_data_quality_range check (data_quality between 0 and 100),
  constraint metrics_status_known
    check (status in ('healthy', 'degraded', 'down', 'maintenance'))
) partition by range (recorded_at);
-- Rows arrive in time order within a day, so a block-range index finds the boundary day's old
-- rows for a few kilobytes, where a btree cost about 20 bytes a row.
create index metrics_recorded_at_idx on public.metrics using brin (recorded_at);

do $$
declare
  v_first timestamptz;
  v_last timestamptz;
begin
  select min(recorded_at), max(recorded_at) into v_first, v_last
  from public.metrics_unpartitioned;
  if v_first is not null then
    perform public.ensure_metric_partitions(v_first, v_last);
  end if;
end
$$;

-- In time order, so each partition's block ranges follow time as a heartbeat writes them.
insert into public.metrics
  (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status)
select tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status
from public.metrics_unpartitioned
order by recorded_at, tool_id;

drop table public.metrics_unpartitioned;

-- Trigger names order their firing: aggregate first, then purge (as in 20261125120600).
create trigger metrics_aggregate_trends
after insert on public.metrics
referencing new table as inserted
for each statement
execute function public.aggregate_metric_trends();

create trigger metrics_purge_old
after insert on public.metrics
for each statement
execute function public.purge_old_metrics();

-- The purge: as in 20261126100000_hardening.sql (the cutoff measured in UTC), now dropping whole
-- day partitions first, then deleting the older rows of the day the cutoff falls in, and the
-- readings that went with them (formerly a cascade).
create or replace function public.purge_old_metrics()
returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_cutoff timestamptz := public._retention_cutoff();
begin
  perform public._drop_metric_partitions(v_cutoff);
  delete from public.metrics where recorded_at < v_cutoff;
  delete from public.tool_readings where recorded_at < v_cutoff;
  delete from public.metric_trends_daily where day < (v_cutoff at time zone 'UTC')::date;
  return null;
end
$$;

do $$
declare
  v record;
  v_grant text;
begin
  for v in select * from metric_views order by level, name loop
    execute format('create view public.%I%s as %s', v.name,
      case when v.options is null then ''
        else format(' with (%s)', array_to_string(v.options, ', ')) end,
      v.definition);
    if v.description is not null then
      execute format('comment on view public.%I is %L', v.name, v.description);
    end if;
    execute format('revoke all on public.%I from public', v.name);
    foreach v_grant in array v.grants loop
      execute v_grant;
    end loop;
  end loop;
end
$$;

-- As 20261125120500_security.sql: everyone reads, only service_role writes.
revoke all on public.metrics from public, anon, authenticated;
grant select on public.metrics to anon, authenticated;
grant select, insert, update, delete on public.metrics to service_role;
alter table public.metrics enable row level security;
create policy "readable by everyone" on public.metrics
  for select to anon, authenticated using (true);
create policy "written by the service role" on public.metrics
  for all to service_role using (true) with check (true);

revoke execute on function public._metric_partition_name(date),
  public.ensure_metric_partitions(timestamptz, timestamptz),
  public._drop_metric_partitions(timestamptz)
  from public, anon, authenticated;
grant execute on function public._metric_partition_name(date),
  public.ensure_metric_partitions(timestamptz, timestamptz),
  public._drop_metric_partitions(timestamptz)
  to service_role;

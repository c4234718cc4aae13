-- Issue 11, a heartbeat's WAL after a checkpoint (tenth pass): the tool_id btree of a day
-- partition is built when the day is over; while a day is written, its partition finds a tool's
-- rows through a block-range index on tool_id instead.
--
-- Why: a run writes one row per tool into its day's partition. In a btree on tool_id each tool's
-- key has its own place, so every run touched every leaf page of the day's index (about 200 pages
-- at 10,000 tools late in the day), and after a checkpoint each touched page is written whole
-- into the WAL: 1.5 MiB a run at 23:40 UTC against a few pages just after midnight. That was what
-- a week of history added to a run (1.27x the empty case at 23:40, target 1.2x).
--
-- A block-range index (pages_per_range = 1) keeps the smallest and largest tool_id of each heap
-- page. A run appends its rows at the end of the partition, so its new pages are not summarised
-- yet and the insert writes nothing to that index; the statement trigger below then summarises
-- them (a few index tuples, written together on the index's last page). record_heartbeat now
-- inserts a run's rows in tool_id order, so each page holds a narrow band of tools and a tool's
-- rows of the day are on one page per run (or two, where one page ends and the next begins). A
-- minmax index, not a bloom one: its operator family also compares bigint with the smallint and
-- integer parameters clients send (a bloom index serves bigint = bigint only).
--
-- When the day is over the partition gets its deduplicated btree on tool_id, the one every day
-- had (20261128100000): prepare_metric_partitions, which the client calls before every run in a
-- transaction of its own, builds it for every day before its run's day that lacks it (once a day:
-- about 0.15 s and as much WAL as one late run's leaf pages at 10,000 tools). A day written later
-- (a backfill, a late run) then pays the btree as before. If a preparation gave up or skipped a
-- partition (see below), the next one builds it; until then the day is read through its
-- block-range index, slower but the same rows.
--
-- Reads are unchanged (same rows): the planner picks, per partition, the btree where there is one
-- and the block-range index elsewhere. Many tools of today at once (the stack page's 500
-- sparklines) are read by a scan of today's partition with the list hashed; the Postgres store
-- sends a list of ids as bigint[] for that (bigint = smallint cannot be hashed). Nothing used the
-- index by name. Measured in docs/performance.md, "WAL, tenth pass".

drop index public.metrics_tool_id_idx;

create index metrics_tool_id_range_idx on public.metrics using brin (tool_id)
  with (pages_per_range = 1);

-- The btree of one finished day, named after its partition.
create function public._metric_partition_tool_index_name(partition_name text)
returns text
language sql
immutable
set search_path = ''
as $$
  select partition_name || '_tool_btree'
$$;

-- Build the tool_id btree of every day partition before the given day that lacks it. A
-- partition autovacuum holds (or a writer that did not take the governance row) is skipped
-- rather than waited for; the next preparation builds it.
create function public._index_finished_metric_days(before_day date)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
  v_built integer := 0;
begin
  for v_name in
    select c.relname
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where i.inhparent = 'public.metrics'::regclass
      and n.nspname = 'metric_partitions'
      and c.relname ~ '^metrics_[0-9]{8}$'
      and to_date(substr(c.relname, 9), 'YYYYMMDD') < before_day
      and to_regclass(format('metric_partitions.%I',
        public._metric_partition_tool_index_name(c.relname))) is null
    order by c.relname
  loop
    begin
      execute format('lock table metric_partitions.%I in share mode nowait', v_name);
      execute format('create index %I on metric_partitions.%I (tool_id) '
        'with (deduplicate_items = on)', public._metric_partition_tool_index_name(v_name), v_name);
      v_built := v_built + 1;
    exception when lock_not_available then
      null;
    end;
  end loop;
  return v_built;
end
$$;

-- Summarise the block-range index of the partitions a statement wrote into (only the pages not
-- summarised yet, so a run pays for its own pages). Skipped, not waited for, while autovacuum
-- holds the partition (its vacuum summarises them too); an unsummarised page is read by every
-- query of the index, so results never depend on it.
create function public._metrics_summarize_tool_ranges()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_day date;
  v_name text;
  v_index regclass;
begin
  -- The days first, then their names (one call a day, not one a row).
  for v_day in select distinct (w.recorded_at at time zone 'UTC')::date from written w loop
    v_name := public._metric_partition_name(v_day);
    select x.indexrelid::regclass into v_index
    from pg_catalog.pg_index x
    join pg_catalog.pg_inherits i on i.inhrelid = x.indexrelid
    where x.indrelid = to_regclass(format('metric_partitions.%I', v_name))
      and i.inhparent = 'public.metrics_tool_id_range_idx'::regclass;
    if v_index is null then
      continue;
    end if;
    begin
      execute format('lock table metric_partitions.%I in share update exclusive mode nowait',
        v_name);
      perform pg_catalog.brin_summarize_new_values(v_index);
    exception when lock_not_available then
      null;
    end;
  end loop;
  return null;
end
$$;

-- Named to fire after the other statement triggers (name order): a refused statement has
-- already failed.
create trigger metrics_written_ranges_summarized
after insert on public.metrics
referencing new table as written
for each statement
execute function public._metrics_summarize_tool_ranges();

-- The days over today get their btree now.
select public._index_finished_metric_days((now() at time zone 'UTC')::date);

-- prepare_metric_partitions as in 20261127270000_metric_partitions_out_of_the_run.sql, with one
-- change (marked): it first builds the btree of the days before its run's day.
create or replace function public.prepare_metric_partitions(payload jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_at timestamptz;
  v_made integer;
  v_dropped integer;
  v_cutoff timestamptz;
  v_due timestamptz[];
begin
  perform public._check_keys(payload, array['at']);
  if jsonb_typeof(payload -> 'at') is distinct from 'string' then
    perform public._raise_invalid('at', 'must be a moment (ISO 8601)');
  end if;
  begin
    v_at := (payload ->> 'at')::timestamptz;
  exception when others then
    perform public._raise_invalid('at', 'must be a moment (ISO 8601)');
  end;
  if not isfinite(v_at) then
    perform public._raise_invalid('at', 'must be a finite moment');
  end if;
  perform set_config('lock_timeout', '2s', true);
  -- Changed (20261204100000): the days before this run's are over; their btree on tool_id, built
  -- first, under the governance row (which orders it with every writer and with another
  -- preparation), and before making or dropping a partition: those lock all of metrics until
  -- this transaction ends, and every read of metrics would wait for the build.
  perform 1 from public.governance_settings g where g.id for update;
  perform public._index_finished_metric_days((v_at at time zone 'UTC')::date);
  -- Changed (20261204100000): what follows waits at most 2 s for metrics' lock; when it cannot
  -- have it (a long reader), it is undone alone, so the btrees just built are kept (they were
  -- thrown away with it, and every preparation built them again: 5.8 MiB of WAL each at 10,000
  -- tools x 96 runs, found by review). The answer then says so, and the run makes its own day.
  begin
    v_made := public.ensure_metric_partitions(v_at, least(v_at + interval '1 day',
      ((now() at time zone 'UTC')::date + 2)::timestamp at time zone 'UTC'));
    v_cutoff := public._retention_cutoff();
    -- A backfill's runs parked for sla_daily (20261127150100) reach it before their day goes, as
    -- metrics_keep_sla_pending makes them before the purge's delete.
    select array(select r from unnest(g.sla_pending) as r where r < v_cutoff order by r)
    into v_due
    from public.governance_settings g where g.id for update;
    if cardinality(v_due) > 0 then
      perform public._add_sla_runs(v_due);
      update public.governance_settings g
      set sla_pending = array(select r from unnest(g.sla_pending) as r where r >= v_cutoff order by r)
      where g.id;
    end if;
    v_dropped := public._drop_metric_partitions(v_cutoff);
  exception when lock_not_available then
    return jsonb_build_object('made', 0, 'dropped', 0, 'blocked', true);
  end;
  return jsonb_build_object('made', v_made, 'dropped', v_dropped);
end
$$;

revoke execute on function public._index_finished_metric_days(date) from public, anon,
  authenticated;
revoke execute on function public._metrics_summarize_tool_ranges() from public, anon,
  authenticated;
revoke execute on function public._metric_partition_tool_index_name(text) from public, anon,
  authenticated;

-- record_heartbeat as 20261127110100_record_heartbeat_defers_backfill_rollups.sql defines it (the
-- one current body), with one change, marked: the run's rows are inserted in tool_id order.
create or replace function public.record_heartbeat(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_run_key text;
  v_ran_at timestamptz;
  v_source text;
  v_message text;
  v_duration real;
  v_id bigint;
  v_total integer;
  v_healthy integer;
  v_degraded integer;
  v_down integer;
  v_maintenance integer;
  v_constraint text;
  v_field text;
  v_existing public.heartbeat_log;
begin
  perform _check_keys(payload, array['run_key', 'ran_at', 'source', 'message', 'duration_ms', 'metrics']);
  v_run_key := _require(_text_field(payload, 'run_key', true, 200), 'run_key');
  v_source := coalesce(_text_field(payload, 'source', true, 20), 'scheduled');
  if v_source not in ('scheduled', 'manual', 'backfill') then
    perform _raise_invalid('source', 'must be one of scheduled, manual, backfill');
  end if;
  v_message := coalesce(_text_field(payload, 'message', false, 500), '');
  -- issue 8: finite, at most an hour ahead, and not older than the retention keeps.
  v_ran_at := public._run_time(payload -> 'ran_at');
  if jsonb_typeof(payload -> 'duration_ms') not in ('number') and payload ? 'duration_ms' then
    perform _raise_invalid('duration_ms', 'must be a number of milliseconds');
  end if;
  v_duration := coalesce((payload ->> 'duration_ms')::real, 0);
  if v_duration < 0 then
    perform _raise_invalid('duration_ms', 'must not be negative');
  end if;
  if jsonb_typeof(payload -> 'metrics') is distinct from 'array' then
    perform _raise_invalid('metrics', 'must be an array of {tool_id, health, latency_ms, uptime_pct, data_quality, status}');
  end if;
  perform public._check_metrics(payload -> 'metrics');  -- issue 8: name the bad field

  insert into public.heartbeat_log (run_key, ran_at, source, message, duration_ms)
  values (v_run_key, v_ran_at, v_source, v_message, v_duration)
  on conflict (run_key) do nothing
  returning id into v_id;

  if v_id is null then
    select * into v_existing from public.heartbeat_log h where h.run_key = v_run_key;
    return jsonb_build_object(
      'status', 'already recorded', 'run_key', v_run_key, 'ran_at', v_existing.ran_at,
      'tools_checked', v_existing.tools_checked, 'healthy', v_existing.healthy_count,
      'degraded', v_existing.degraded_count, 'down', v_existing.down_count,
      'message', v_existing.message);  -- issue 8: a repeat answers with the stored message
  end if;

  -- issue 11: the day partition of this run's time, made if missing (20261127100000).
  perform public.ensure_metric_partitions(v_ran_at, v_ran_at);
  -- issue 11: a backfill run's past day is rolled up once, by a later run, not by every hour of
  -- it (aggregate_metric_trends, 20261127110000).
  perform set_config('worksinprod.defer_trend_rollups',
    case when v_source = 'backfill' then 'on' else 'off' end, true);

  begin
    with inserted as (
      insert into public.metrics
        (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status)
      select m.tool_id, v_ran_at, m.health, m.latency_ms, m.uptime_pct, m.data_quality, m.status
      from jsonb_to_recordset(payload -> 'metrics') as m(
        tool_id bigint, health real, latency_ms real, uptime_pct real, data_quality real,
        status text)
      -- Changed (20261204100000): in tool_id order, so each heap page of the day holds a narrow
      -- band of tools for metrics_tool_id_range_idx.
      order by m.tool_id
      returning status
    )
    select
      count(*),
      count(*) filter (where status = 'healthy'),
      count(*) filter (where status = 'degraded'),
      count(*) filter (where status = 'down'),
      count(*) filter (where status = 'maintenance')
    into v_total, v_healthy, v_degraded, v_down, v_maintenance
    from inserted;
    -- issue 9: what each real check saw (its kind, a one-line detail, the vendor's open
    -- incidents), kept beside the metric rows; the only change to this function.
    perform public._record_readings(payload, v_ran_at);
  exception
    when foreign_key_violation then
      get stacked diagnostics v_constraint = pg_exception_detail;
      raise exception 'metrics: a metric names a tool that does not exist (tool_id %)',
        coalesce(substring(v_constraint from 'Key \(tool_id\)=\((\d+)\)'), 'unknown')
        using errcode = '23503', detail = 'tool_id';
    when unique_violation then
      raise exception 'metrics: a tool appears twice in this run, or already has a metric at %',
        v_ran_at using errcode = '23505', detail = 'tool_id';
    when not_null_violation then
      get stacked diagnostics v_constraint = column_name;
      raise exception 'metrics: every metric needs %', v_constraint
        using errcode = '22023', detail = v_constraint;
    when check_violation then
      get stacked diagnostics v_constraint = constraint_name;
      v_field := case v_constraint
        when 'metrics_health_range' then 'health'
        when 'metrics_latency_range' then 'latency_ms'
        when 'metrics_uptime_range' then 'uptime_pct'
        when 'metrics_data_quality_range' then 'data_quality'
        when 'metrics_status_known' then 'status'
        else 'metrics'
      end;
      raise exception 'metrics: % %', v_field, case v_field
          when 'latency_ms' then 'must not be negative'
          when 'status' then 'must be one of healthy, degraded, down, maintenance'
          when 'metrics' then v_constraint
          else 'must be between 0 and 100'
        end
        using errcode = '22023', detail = v_field;
  end;

  update public.heartbeat_log
  set tools_checked = v_total, healthy_count = v_healthy, degraded_count = v_degraded,
      down_count = v_down, maintenance_count = v_maintenance
  where id = v_id;

  -- Issue 10 (incidents): the flap guard, root-cause grouping, the outbox and the watchdog are
  -- decided here, in this run's transaction, by _after_heartbeat (20261126130000_incidents.sql).
  -- It may mark metrics covered by a maintenance window, so the counts are read back after it.
  perform public._after_heartbeat(v_id, v_ran_at);
  select h.healthy_count, h.degraded_count, h.down_count into v_healthy, v_degraded, v_down
  from public.heartbeat_log h where h.id = v_id;

  return jsonb_build_object(
    'status', 'recorded', 'run_key', v_run_key, 'ran_at', v_ran_at, 'tools_checked', v_total,
    'healthy', v_healthy, 'degraded', v_degraded, 'down', v_down,
    'message', v_message);  -- issue 8
end
$$;

-- record_heartbeat as 20261126135900_record_heartbeat_hardening.sql defines it, with two changes
-- (issue 11, marked below): it makes the day partition of its run's time (after the
-- heartbeat_log row claimed the run key, so a repeat still writes nothing), and a backfill run
-- tells the trend rollup trigger, through the transaction-local setting
-- worksinprod.defer_trend_rollups, to leave the past day it writes owed instead of re-rolling
-- that whole day every hour (20261127110000). The one current body of record_heartbeat.

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

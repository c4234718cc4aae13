-- A fourth observed status: maintenance (a vendor's scheduled work, or a window of our own).
-- It is neither up nor down: it opens no incident and counts against no uptime.
alter table public.metrics drop constraint metrics_status_known;
alter table public.metrics add constraint metrics_status_known
  check (status in ('healthy', 'degraded', 'down', 'maintenance'));

alter table public.heartbeat_log add column maintenance_count integer not null default 0;
alter table public.heartbeat_log drop constraint heartbeat_log_counts_range;
alter table public.heartbeat_log add constraint heartbeat_log_counts_range check (
  tools_checked >= 0 and healthy_count >= 0 and degraded_count >= 0 and down_count >= 0
  and maintenance_count >= 0
  and healthy_count + degraded_count + down_count + maintenance_count = tools_checked
);

-- One heartbeat run: every tool's metrics and one heartbeat_log row, set-based, in one call.
-- Idempotent on run_key: the log row claims the key first, so a repeat (or ten at once) waits
-- on the unique index and then reports "already recorded" without writing anything.
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
  begin
    v_ran_at := coalesce((payload ->> 'ran_at')::timestamptz, now());
  exception when others then
    perform _raise_invalid('ran_at', 'must be an ISO 8601 timestamp with a time zone');
  end;
  if v_ran_at > now() + interval '1 hour' then
    perform _raise_invalid('ran_at', 'is more than an hour in the future');
  end if;
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

  insert into public.heartbeat_log (run_key, ran_at, source, message, duration_ms)
  values (v_run_key, v_ran_at, v_source, v_message, v_duration)
  on conflict (run_key) do nothing
  returning id into v_id;

  if v_id is null then
    select * into v_existing from public.heartbeat_log h where h.run_key = v_run_key;
    return jsonb_build_object(
      'status', 'already recorded', 'run_key', v_run_key, 'ran_at', v_existing.ran_at,
      'tools_checked', v_existing.tools_checked, 'healthy', v_existing.healthy_count,
      'degraded', v_existing.degraded_count, 'down', v_existing.down_count);
  end if;

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

  return jsonb_build_object(
    'status', 'recorded', 'run_key', v_run_key, 'ran_at', v_ran_at, 'tools_checked', v_total,
    'healthy', v_healthy, 'degraded', v_degraded, 'down', v_down);
end
$$;

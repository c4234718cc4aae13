-- Day partitions are made and dropped outside the heartbeat's transaction.
--
-- Making a partition (CREATE TABLE ... PARTITION OF) or dropping one takes an ACCESS EXCLUSIVE
-- lock on public.metrics. Inside record_heartbeat that lock was held until the run committed,
-- so the first run of each UTC day (and the run whose purge dropped a day) blocked every read
-- of metrics for the rest of the run, and queued behind any reader already open, stalling
-- everything behind it. The client now calls prepare_metric_partitions first, in a short
-- transaction of its own that gives up after 2 s of waiting: it makes the run's day and the
-- next one, and drops the days the retention no longer keeps. In steady state the run then
-- finds its partition made (tomorrow's was made a day ahead) and nothing left to drop, and
-- takes no such lock; if the preparation gave up, the run does both itself, as before.
--
-- ensure_metric_partitions also refuses days the runs never write (more than 400 days back,
-- more than 2 days ahead: 1,800 future partitions slowed every read 500x), and writes each
-- bound as an explicit UTC literal instead of a timestamptz printed in the session's DateStyle
-- and TimeZone and read back (which 'SQL, DMY' in Pacific/Guam could not).
create or replace function public.ensure_metric_partitions(first_at timestamptz, last_at timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_first date := (first_at at time zone 'UTC')::date;
  v_last date := (last_at at time zone 'UTC')::date;
  v_today date := (now() at time zone 'UTC')::date;
  v_day date;
  v_name text;
  v_made integer := 0;
begin
  if first_at is null or last_at is null or not isfinite(first_at) or not isfinite(last_at)
    or last_at < first_at then
    raise exception 'first_at and last_at must be finite moments, first_at not after last_at'
      using errcode = '22023', detail = 'first_at';
  end if;
  if v_first < v_today - 400 then
    raise exception 'first_at is more than 400 days ago' using errcode = '22023', detail = 'first_at';
  end if;
  if v_last > v_today + 2 then
    raise exception 'last_at is more than 2 days ahead' using errcode = '22023', detail = 'last_at';
  end if;
  perform 1 from public.governance_settings g where g.id for update;
  v_day := v_first;
  while v_day <= v_last loop
    v_name := public._metric_partition_name(v_day);
    if to_regclass(format('metric_partitions.%I', v_name)) is null then
      execute format(
        'create table metric_partitions.%I partition of public.metrics '
        'for values from (%L) to (%L)',
        v_name, to_char(v_day, 'YYYY-MM-DD') || ' 00:00:00+00',
        to_char(v_day + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
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

-- Before a run: {"at": the run's time}. Answers {"made": n, "dropped": n}; a lock not had
-- within 2 s is error 55P03, which the client ignores (the run then does it itself).
create function public.prepare_metric_partitions(payload jsonb)
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
  return jsonb_build_object('made', v_made, 'dropped', v_dropped);
end
$$;

revoke execute on function public.prepare_metric_partitions(jsonb) from public, anon, authenticated;
grant execute on function public.prepare_metric_partitions(jsonb) to service_role;

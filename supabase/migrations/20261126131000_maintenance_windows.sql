-- Maintenance windows (issue 10): per tool, scheduled (start, end, reason) or ad hoc. A run
-- inside a window records the tool as 'maintenance', so it opens no incident, sends nothing and
-- counts against no uptime. Decided in record_heartbeat's transaction, through _after_heartbeat.

create table public.maintenance_windows (
  id bigint generated always as identity primary key,
  tool_id bigint not null references public.tools (id) on delete cascade,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  reason text not null,
  source text not null default 'manual',
  created_at timestamptz not null default now(),
  constraint maintenance_windows_ends_after_start check (ends_at > starts_at),
  constraint maintenance_windows_at_most_a_year check (ends_at - starts_at <= interval '366 days'),
  constraint maintenance_windows_reason_length check (btrim(reason) <> '' and length(reason) <= 500),
  constraint maintenance_windows_source_known check (source in ('manual', 'statuspage'))
);
create index maintenance_windows_tool_idx on public.maintenance_windows (tool_id, ends_at desc);

create view public.maintenance_named with (security_invoker = true) as
select w.id, t.slug, t.name, w.starts_at, w.ends_at, w.reason, w.source, w.created_at,
  now() >= w.starts_at and now() < w.ends_at as active
from public.maintenance_windows w
join public.tools t on t.id = w.tool_id;

-- Uptime per tool over the kept metrics, maintenance excluded: a window is neither up nor down.
-- (The SLA report's monthly figures are to be built the same way from the daily rollups.)
create view public.tool_uptime with (security_invoker = true) as
select t.id as tool_id, t.slug,
  (avg(m.uptime_pct) filter (where m.status <> 'maintenance'))::real as uptime_pct,
  count(m.id) filter (where m.status <> 'maintenance')::integer as samples,
  count(m.id) filter (where m.status = 'maintenance')::integer as maintenance_samples
from public.tools t
left join public.metrics m on m.tool_id = t.id
group by t.id, t.slug;

create function public._timestamp_field(payload jsonb, key text)
returns timestamptz
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_text text := _text_field(payload, key, true, 64);
begin
  if v_text is null then
    perform _raise_invalid(key, 'is required');
  end if;
  -- ISO 8601 with a date first: Postgres would also take 'now' or 'tomorrow', a surprise here.
  if v_text !~ '^\d{4}-\d{2}-\d{2}' then
    perform _raise_invalid(key, 'must be an ISO 8601 timestamp, like 2026-11-28T02:00:00Z');
  end if;
  begin
    return v_text::timestamptz;
  exception when others then
    perform _raise_invalid(key, 'must be an ISO 8601 timestamp, like 2026-11-28T02:00:00Z');
  end;
  return null;
end
$$;

create function public.add_maintenance(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_tool bigint;
  v_starts timestamptz;
  v_ends timestamptz;
  v_reason text;
  v_source text;
  v_id bigint;
begin
  perform _check_keys(payload, array['tool', 'starts_at', 'ends_at', 'reason', 'source']);
  v_tool := _tool_id(_require(_text_field(payload, 'tool', true, 64), 'tool'), 'tool');
  v_starts := _timestamp_field(payload, 'starts_at');
  v_ends := _timestamp_field(payload, 'ends_at');
  if v_ends <= v_starts then
    perform _raise_invalid('ends_at', 'must be after starts_at');
  end if;
  if v_ends - v_starts > interval '366 days' then
    perform _raise_invalid('ends_at', 'must be at most 366 days after starts_at');
  end if;
  v_reason := _require(_text_field(payload, 'reason', true, 500), 'reason');
  if v_reason ~ '[[:cntrl:]]' then
    perform _raise_invalid('reason', 'must not contain control characters');
  end if;
  v_source := coalesce(_text_field(payload, 'source', true, 20), 'manual');
  if v_source not in ('manual', 'statuspage') then
    perform _raise_invalid('source', 'must be manual or statuspage');
  end if;
  insert into public.maintenance_windows (tool_id, starts_at, ends_at, reason, source)
  values (v_tool, v_starts, v_ends, v_reason, v_source)
  returning id into v_id;
  return (select to_jsonb(m) from public.maintenance_named m where m.id = v_id);
end
$$;

create function public.remove_maintenance(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
begin
  perform _check_keys(payload, array['id']);
  if jsonb_typeof(payload -> 'id') is distinct from 'number'
     or (payload ->> 'id') !~ '^[0-9]{1,18}$' then
    perform _raise_invalid('id', 'must be a maintenance window id (a whole number)');
  end if;
  delete from public.maintenance_windows w where w.id = (payload ->> 'id')::bigint
  returning w.id into v_id;
  if v_id is null then
    raise exception 'id: no maintenance window %', payload ->> 'id'
      using errcode = 'P0002', detail = 'id';
  end if;
  return jsonb_build_object('id', v_id);
end
$$;

-- A tool inside a window is in maintenance for this run, whatever its check said; the run's
-- counts follow.
create function public._apply_maintenance(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.metrics m set status = 'maintenance'
  where m.recorded_at = p_ran_at and m.status <> 'maintenance'
    and exists (select 1 from public.maintenance_windows w
                where w.tool_id = m.tool_id and p_ran_at >= w.starts_at and p_ran_at < w.ends_at);
  if found then
    update public.heartbeat_log h
    set healthy_count = c.healthy, degraded_count = c.degraded, down_count = c.down,
        maintenance_count = c.maintenance
    from (
      select count(*) filter (where status = 'healthy') as healthy,
             count(*) filter (where status = 'degraded') as degraded,
             count(*) filter (where status = 'down') as down,
             count(*) filter (where status = 'maintenance') as maintenance
      from public.metrics where recorded_at = p_ran_at
    ) c
    where h.id = p_run;
  end if;
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
end
$$;

revoke all on public.maintenance_windows from public, anon, authenticated;
grant select on public.maintenance_windows to anon, authenticated;
grant select, insert, update, delete on public.maintenance_windows to service_role;
revoke all on public.maintenance_named, public.tool_uptime from public, anon, authenticated;
grant select on public.maintenance_named, public.tool_uptime to anon, authenticated, service_role;

revoke execute on function public._timestamp_field(jsonb, text), public.add_maintenance(jsonb),
  public.remove_maintenance(jsonb), public._apply_maintenance(bigint, timestamptz)
  from public, anon, authenticated;
grant execute on function public._timestamp_field(jsonb, text), public.add_maintenance(jsonb),
  public.remove_maintenance(jsonb), public._apply_maintenance(bigint, timestamptz)
  to service_role;

alter table public.maintenance_windows enable row level security;
create policy "readable by everyone" on public.maintenance_windows
  for select to anon, authenticated using (true);
create policy "written by the service role" on public.maintenance_windows
  for all to service_role using (true) with check (true);

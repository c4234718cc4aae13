-- Vendor maintenance from Statuspage checks (issue 10): a maintenance the page announces, in
-- progress or scheduled, becomes a maintenance window (source 'statuspage'), once per vendor
-- maintenance id and tool; a later run that sees new times or a new name updates it. The
-- statuspage source sends each as an entry of the reading's vendor_incidents with
-- maintenance_id, starts_at and ends_at (stored in tool_readings by _record_readings).

alter table public.maintenance_windows
  add column vendor_id text,
  add constraint maintenance_windows_vendor_id_length check (length(vendor_id) <= 100),
  add constraint maintenance_windows_vendor_from_statuspage
    check (vendor_id is null or source = 'statuspage');
create unique index maintenance_windows_vendor_once
  on public.maintenance_windows (tool_id, vendor_id) where vendor_id is not null;

-- A timestamp from a vendor, or null: a page's odd value must not fail the run.
create function public._vendor_timestamp(value text)
returns timestamptz
language plpgsql
immutable
set search_path = ''
as $$
begin
  if value is null or value !~ '^\d{4}-\d{2}-\d{2}T' or length(value) > 64 then
    return null;
  end if;
  return value::timestamptz;
exception when others then
  return null;
end
$$;

create function public._import_vendor_maintenance(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
begin
  insert into public.maintenance_windows as w
    (tool_id, starts_at, ends_at, reason, source, vendor_id)
  select distinct on (v.tool_id, v.vendor_id) v.tool_id, v.starts_at, v.ends_at,
    coalesce(nullif(btrim(left(regexp_replace(v.name, '[[:cntrl:]]', ' ', 'g'), 500)), ''),
      'vendor maintenance'),
    'statuspage', v.vendor_id
  from (
    select r.tool_id, left(e ->> 'maintenance_id', 100) as vendor_id, coalesce(e ->> 'name', '') as name,
      public._vendor_timestamp(e ->> 'starts_at') as starts_at,
      public._vendor_timestamp(e ->> 'ends_at') as ends_at
    from public.tool_readings r
    cross join lateral jsonb_array_elements(r.vendor_incidents) as e
    where r.recorded_at = p_ran_at and r.kind = 'statuspage'
      and jsonb_typeof(e) = 'object' and jsonb_typeof(e -> 'maintenance_id') = 'string'
  ) v
  where v.vendor_id <> '' and v.starts_at is not null and v.ends_at > v.starts_at
    and v.ends_at - v.starts_at <= interval '366 days'
  on conflict (tool_id, vendor_id) where vendor_id is not null do update
  set starts_at = excluded.starts_at, ends_at = excluded.ends_at, reason = excluded.reason
  where (w.starts_at, w.ends_at, w.reason) is distinct from
    (excluded.starts_at, excluded.ends_at, excluded.reason);
end
$$;

-- As 20261126133000_sla_reports.sql left it, plus the import, first: a maintenance the page
-- reports in progress already counts for this run.
create or replace function public._after_heartbeat(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform public._import_vendor_maintenance(p_run, p_ran_at);
  perform public._apply_maintenance(p_run, p_ran_at);  -- first: maintenance suppresses incidents
  perform public._apply_incidents(p_run, p_ran_at);
  perform public._watchdog_heard(p_run, p_ran_at);
  perform public._record_sla(p_run, p_ran_at);  -- SLA reports: after maintenance set statuses
end
$$;

create or replace view public.maintenance_named with (security_invoker = true) as
select w.id, t.slug, t.name, w.starts_at, w.ends_at, w.reason, w.source, w.created_at,
  now() >= w.starts_at and now() < w.ends_at as active, w.vendor_id
from public.maintenance_windows w
join public.tools t on t.id = w.tool_id;

revoke execute on function public._vendor_timestamp(text),
  public._import_vendor_maintenance(bigint, timestamptz) from public, anon, authenticated;
grant execute on function public._vendor_timestamp(text),
  public._import_vendor_maintenance(bigint, timestamptz) to service_role;

-- Each tool's own part of its /api/tools document, written when the tool is (issue 11).
--
-- tool_documents wrote every tool's whole document on every cold read (28 ms at 5,000 tools
-- just after a heartbeat). The tool's own part (the id, slug, names, vendor, owner and
-- description as JSON strings, the two times in UTC) changes only when the tool is written, so
-- it is kept here, written by statement triggers on tools:
--
-- * head: from `{"id":` to the description, as the view wrote it;
-- * tail: `,"created_at":...,"updated_at":...}`, in UTC with six-digit fractions; null when a
--   time cannot be written as pydantic writes it (a year outside 1-9999), and the client then
--   writes that tool from its row, as before.
--
-- tool_documents writes only the metric part and joins the rest: the same columns, rows,
-- order and bytes (tests/test_tool_documents*.py compare every document with pydantic's dump
-- after random edits and heartbeats). A row deleted from tools takes its parts with it.

create table public.tool_document_parts (
  tool_id bigint primary key references public.tools (id) on delete cascade,
  head text not null,
  tail text
);

comment on table public.tool_document_parts is
  'Each tool''s own part of its JSON for GET /api/tools, kept by triggers on tools '
  '(read by tool_documents).';

revoke all on public.tool_document_parts from public, anon, authenticated, service_role;
grant select on public.tool_document_parts to anon, authenticated, service_role;
alter table public.tool_document_parts enable row level security;
create policy "readable by everyone" on public.tool_document_parts
  for select to anon, authenticated, service_role using (true);

-- Write the parts of these tools again from their rows (the UTC setting: the times are written
-- in UTC whatever the writer's session says).
create function public._write_tool_document_parts(p_tool_ids bigint[])
returns void
language plpgsql
security definer
set search_path = ''
set timezone = 'UTC'
as $$
begin
  delete from public.tool_document_parts p where p.tool_id = any (p_tool_ids);
  insert into public.tool_document_parts (tool_id, head, tail)
  select
    t.id,
    '{"id":' || t.id::text
    || ',"slug":"' || t.slug || '"'
    || ',"name":' || to_json(t.name)::text
    || ',"category":' || to_json(t.category)::text
    || ',"vendor":' || to_json(t.vendor)::text
    || ',"owner":' || to_json(t.owner)::text
    || ',"description":' || to_json(t.description)::text,
    ',"created_at":' || case
      when t.created_at >= '0001-01-01 00:00:00+00' and t.created_at < '10000-01-01 00:00:00+00'
      then replace(to_char(t.created_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
    || ',"updated_at":' || case
      when t.updated_at >= '0001-01-01 00:00:00+00' and t.updated_at < '10000-01-01 00:00:00+00'
      then replace(to_char(t.updated_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
    || '}'
  from public.tools t
  where t.id = any (p_tool_ids);
end
$$;

create function public._tool_document_parts_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public._write_tool_document_parts(array(select n.id from new_tools n));
  return null;
end
$$;

create function public._tool_document_parts_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- both sides: an id changed by hand leaves no part behind under the old one
  perform public._write_tool_document_parts(array(
    select o.id from old_tools o union select n.id from new_tools n));
  return null;
end
$$;

revoke execute on function public._write_tool_document_parts(bigint[]),
  public._tool_document_parts_inserted(),
  public._tool_document_parts_updated()
  from public, anon, authenticated;

lock table public.tools in share row exclusive mode;

select public._write_tool_document_parts(array(select t.id from public.tools t));

create trigger tools_document_parts_inserted
after insert on public.tools
referencing new table as new_tools
for each statement
execute function public._tool_document_parts_inserted();

create trigger tools_document_parts_updated
after update on public.tools
referencing old table as old_tools new table as new_tools
for each statement
execute function public._tool_document_parts_updated();

-- As 20261130500000 (the same columns, rows, order and bytes): each tool's own parts are read,
-- and only its metric part (status to last_checked_at) is written here, as that view wrote it.
-- Writing that part once per heartbeat instead, in tool_latest_metrics, measured 12 against 19
-- ms for this view at 5,000 tools but cost each run 2.9 MiB of WAL at 10,000 tools and the
-- storage target 270 KiB at 1,000 (docs/performance.md, seventh pass).
create or replace view public.tool_documents with (security_invoker = true) as
select
  c.id,
  c.name,
  c.category,
  c.status,
  c.owner,
  case when (select current_setting('extra_float_digits')::integer > 0
    and current_setting('TimeZone') in ('UTC', 'Etc/UTC')) then
    c.head
    || ',"status":"' || c.status || '"'
    || ',"health":' || case
      when strpos(v.health, '.') > 0 and strpos(v.health, 'e') = 0 then v.health
      when v.health is null then 'null'
      when v.health in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.health, 'e') = 0 then v.health || '.0'
      when split_part(v.health, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.health::numeric)::text, '.') > 0 then (v.health::numeric)::text
          else (v.health::numeric)::text || '.0' end
      else regexp_replace(v.health, 'e([+-])0*', 'e\1')
    end
    || ',"latency_ms":' || case
      when strpos(v.latency_ms, '.') > 0 and strpos(v.latency_ms, 'e') = 0 then v.latency_ms
      when v.latency_ms is null then 'null'
      when v.latency_ms in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.latency_ms, 'e') = 0 then v.latency_ms || '.0'
      when split_part(v.latency_ms, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.latency_ms::numeric)::text, '.') > 0 then (v.latency_ms::numeric)::text
          else (v.latency_ms::numeric)::text || '.0' end
      else regexp_replace(v.latency_ms, 'e([+-])0*', 'e\1')
    end
    || ',"uptime_pct":' || case
      when strpos(v.uptime_pct, '.') > 0 and strpos(v.uptime_pct, 'e') = 0 then v.uptime_pct
      when v.uptime_pct is null then 'null'
      when v.uptime_pct in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.uptime_pct, 'e') = 0 then v.uptime_pct || '.0'
      when split_part(v.uptime_pct, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.uptime_pct::numeric)::text, '.') > 0 then (v.uptime_pct::numeric)::text
          else (v.uptime_pct::numeric)::text || '.0' end
      else regexp_replace(v.uptime_pct, 'e([+-])0*', 'e\1')
    end
    || ',"data_quality":' || case
      when strpos(v.data_quality, '.') > 0 and strpos(v.data_quality, 'e') = 0 then v.data_quality
      when v.data_quality is null then 'null'
      when v.data_quality in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.data_quality, 'e') = 0 then v.data_quality || '.0'
      when split_part(v.data_quality, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.data_quality::numeric)::text, '.') > 0 then (v.data_quality::numeric)::text
          else (v.data_quality::numeric)::text || '.0' end
      else regexp_replace(v.data_quality, 'e([+-])0*', 'e\1')
    end
    || ',"last_checked_at":' || case when c.last_checked_at is null then 'null' else case
      when c.last_checked_at >= '0001-01-01 00:00:00+00' and c.last_checked_at < '10000-01-01 00:00:00+00'
      then replace(to_char(c.last_checked_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end end
    || ',"check_kind":"' || c.check_kind || '"'
    || c.tail
  end as document
from (
  select
    t.id,
    t.name,
    t.category,
    t.owner,
    coalesce(l.status, 'unknown') as status,
    l.health,
    l.latency_ms,
    l.uptime_pct,
    l.data_quality,
    l.recorded_at as last_checked_at,
    coalesce(k.kind, 'simulated') as check_kind,
    p.head,
    p.tail
  from public.tools t
  left join public.tool_document_parts p on p.tool_id = t.id
  left join public.tool_latest_metrics l on l.tool_id = t.id
  left join public.tool_checks k on k.tool_id = t.id
  order by t.name, t.id
) c
cross join lateral (
  select
    c.health::text as health,
    c.latency_ms::text as latency_ms,
    c.uptime_pct::text as uptime_pct,
    c.data_quality::text as data_quality
  offset 0
) v;

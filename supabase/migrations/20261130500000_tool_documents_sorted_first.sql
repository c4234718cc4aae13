-- GET /api/tools' documents, cheaper to write and sorted before they are written (issue 11,
-- sixth pass continued). The same columns, grants, guard and bytes as 20261130100000's view.
--
-- - Sorted first: the caller orders by name (Client.tools_json); over the view as it was, the
--   sort came after every document was written, so it moved 1.8 MB (2.2 MB in memory) at 5,000
--   tools and no row left the server before the last was written. tools_current is now sorted
--   by name (then id) in a subquery and each document written from its sorted row: the sort
--   moves the narrow rows (0.8 MB), an `order by name` over the view is met by that order
--   without a second sort, and the rows stream out as they are written. The subquery has no
--   limit, so a filter on category, status or owner is still pushed into tools_current.
-- - Timestamps by to_char: the view writes documents only in a UTC session (the guard below),
--   where every offset is +00:00, so each timestamp is written with one fixed format (6-digit
--   fraction, Z) and a fraction of .000000 dropped, as pydantic writes a whole second; to_char
--   does not read DateStyle. to_json's text and its rewrite measured about a third slower. Years
--   outside 0001-9999 (and BC, which to_char writes as a plain year) still give a null document,
--   written by the client in Python.
-- - The reals' rewrite first tests the common case, a plain decimal with a point (91.4), which
--   it writes as it is (as the branch after the NaN and infinity tests did; neither has a
--   point): about an eighth less of the reals' work. The texts' to_json is as before.
create or replace view public.tool_documents with (security_invoker = true) as
select
  c.id,
  c.name,
  c.category,
  c.status,
  c.owner,
  case when (select current_setting('extra_float_digits')::integer > 0
    and current_setting('TimeZone') in ('UTC', 'Etc/UTC')) then
    '{"id":' || c.id::text
    || ',"slug":"' || c.slug || '"'
    || ',"name":' || to_json(c.name)::text
    || ',"category":' || to_json(c.category)::text
    || ',"vendor":' || to_json(c.vendor)::text
    || ',"owner":' || to_json(c.owner)::text
    || ',"description":' || to_json(c.description)::text
    || ',"status":"' || c.status || '"'
    || ',"health":' || case
      when strpos(v.health, '.') > 0 and strpos(v.health, 'e') = 0 then v.health
      when v.health is null then 'null'
      when v.health in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.health, 'e') = 0 then
        case when strpos(v.health, '.') > 0 then v.health else v.health || '.0' end
      when split_part(v.health, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.health::numeric)::text, '.') > 0 then (v.health::numeric)::text
          else (v.health::numeric)::text || '.0' end
      else regexp_replace(v.health, 'e([+-])0*', 'e\1')
    end
    || ',"latency_ms":' || case
      when strpos(v.latency_ms, '.') > 0 and strpos(v.latency_ms, 'e') = 0 then v.latency_ms
      when v.latency_ms is null then 'null'
      when v.latency_ms in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.latency_ms, 'e') = 0 then
        case when strpos(v.latency_ms, '.') > 0 then v.latency_ms else v.latency_ms || '.0' end
      when split_part(v.latency_ms, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.latency_ms::numeric)::text, '.') > 0 then (v.latency_ms::numeric)::text
          else (v.latency_ms::numeric)::text || '.0' end
      else regexp_replace(v.latency_ms, 'e([+-])0*', 'e\1')
    end
    || ',"uptime_pct":' || case
      when strpos(v.uptime_pct, '.') > 0 and strpos(v.uptime_pct, 'e') = 0 then v.uptime_pct
      when v.uptime_pct is null then 'null'
      when v.uptime_pct in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.uptime_pct, 'e') = 0 then
        case when strpos(v.uptime_pct, '.') > 0 then v.uptime_pct else v.uptime_pct || '.0' end
      when split_part(v.uptime_pct, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.uptime_pct::numeric)::text, '.') > 0 then (v.uptime_pct::numeric)::text
          else (v.uptime_pct::numeric)::text || '.0' end
      else regexp_replace(v.uptime_pct, 'e([+-])0*', 'e\1')
    end
    || ',"data_quality":' || case
      when strpos(v.data_quality, '.') > 0 and strpos(v.data_quality, 'e') = 0 then v.data_quality
      when v.data_quality is null then 'null'
      when v.data_quality in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.data_quality, 'e') = 0 then
        case when strpos(v.data_quality, '.') > 0 then v.data_quality else v.data_quality || '.0' end
      when split_part(v.data_quality, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.data_quality::numeric)::text, '.') > 0 then (v.data_quality::numeric)::text
          else (v.data_quality::numeric)::text || '.0' end
      else regexp_replace(v.data_quality, 'e([+-])0*', 'e\1')
    end
    || ',"last_checked_at":' || case when c.last_checked_at is null then 'null' else case
      when c.last_checked_at >= '0001-01-01 00:00:00+00' and c.last_checked_at < '10000-01-01 00:00:00+00'
      then replace(to_char(c.last_checked_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end end
    || ',"check_kind":"' || c.check_kind || '"'
    || ',"created_at":' || case
      when c.created_at >= '0001-01-01 00:00:00+00' and c.created_at < '10000-01-01 00:00:00+00'
      then replace(to_char(c.created_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
    || ',"updated_at":' || case
      when c.updated_at >= '0001-01-01 00:00:00+00' and c.updated_at < '10000-01-01 00:00:00+00'
      then replace(to_char(c.updated_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
    || '}'
  end as document
from (select * from public.tools_current order by name, id) c
cross join lateral (
  select
      c.health::text as health,
      c.latency_ms::text as latency_ms,
      c.uptime_pct::text as uptime_pct,
      c.data_quality::text as data_quality
  offset 0
) v;


revoke all on public.tool_documents from public, anon, authenticated;
grant select on public.tool_documents to anon, authenticated, service_role;

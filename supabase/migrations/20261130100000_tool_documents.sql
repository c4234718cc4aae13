-- GET /api/tools' documents written by the server (issue 11, sixth pass).
--
-- A cold /api/tools read every tool's row of tools_current as values (about 80,000 at 5,000
-- tools, decoded one by one by psycopg) and wrote each as JSON in Python. This view writes each
-- tool's document in the database, byte for byte what pydantic's dump of the Tool model gives
-- (Client.tools_json): the client reads one text a tool and joins them.
--
-- Where PostgreSQL's text and pydantic's differ, the view rewrites it:
-- - a real is PostgreSQL's shortest decimal (extra_float_digits > 0) with the digits pydantic
--   writes for the float parsed from it; pydantic adds ".0" to a whole number (100.0, -0.0),
--   writes plainly from 1e-5 up to below 1e16 (0.00001, 1234567.0) where PostgreSQL writes
--   1e-05 and 1.234567e+06 (numeric prints those plainly), and past them drops the exponent's
--   leading zeros (1e-6, 3.4028235e+38);
-- - a timestamp is written in the session's time zone by both; pydantic writes the offset
--   +00:00 as Z and a fraction always with 6 digits (PostgreSQL drops trailing zeros);
-- - text is escaped alike by to_json and pydantic (", \, control characters as \b \f \n \r \t
--   or \u00xx in lower case; /, DEL, U+2028 and the rest of Unicode as they are); a slug, a
--   status and a check's kind are quoted as they are, their checks allowing nothing to escape
--   (tools_slug_format, metrics_status_known or 'unknown', tool_checks_kind_known or
--   'simulated'): to_json on the texts is about a fifth of the view's work.
-- What the view cannot write exactly gives a null document, and the client writes that tool's
-- document from its row in Python: a non-finite real (pydantic writes null; metrics' check
-- lets a NaN or infinite latency through), an offset with seconds (local mean time, in most
-- zones before about 1920, which pydantic cuts to minutes), a year outside 0001-9999, and every
-- document when extra_float_digits is 0 or less (reals rounded to 6 digits), which the
-- client's sessions never set. So is every document when the session's time zone is not UTC
-- (Supabase's default): the server reads zone rules from its own tzdata and Python from its
-- own (today America/Vancouver is -07:00 in one and -08:00 in the other), and a zone psycopg
-- cannot name (a POSIX 'UTC+3', an offset) it reads as UTC, so only UTC is written alike.
--
-- Each real's and each timestamp's rewrite is written out in place rather than called as a
-- function: every function here carries `set search_path` (the advisors ask for it), and
-- PostgreSQL never inlines a function with a SET clause, so it would cost a call per value.
--
-- The values' texts are computed once per row (the lateral subquery is kept apart by offset 0:
-- pulled up, each would be computed again wherever the expressions use it). Same columns to
-- filter and order by as tools_current; the grants are tools_current's.
create view public.tool_documents with (security_invoker = true) as
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
      when v.data_quality is null then 'null'
      when v.data_quality in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.data_quality, 'e') = 0 then
        case when strpos(v.data_quality, '.') > 0 then v.data_quality else v.data_quality || '.0' end
      when split_part(v.data_quality, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.data_quality::numeric)::text, '.') > 0 then (v.data_quality::numeric)::text
          else (v.data_quality::numeric)::text || '.0' end
      else regexp_replace(v.data_quality, 'e([+-])0*', 'e\1')
    end
    || ',"last_checked_at":' || case when v.last_checked_at is null then 'null' else case
      when v.last_checked_at not like '"____-__-__T__:__:__%'
        or not (v.last_checked_at like '%+__:__"' or v.last_checked_at like '%-__:__"') then null
      when octet_length(v.last_checked_at) in (27, 34) then replace(v.last_checked_at, '+00:00"', 'Z"')
      else rpad(left(v.last_checked_at, -7), 27, '0')
        || replace(right(v.last_checked_at, 7), '+00:00"', 'Z"')
    end end
    || ',"check_kind":"' || c.check_kind || '"'
    || ',"created_at":' || case
      when v.created_at not like '"____-__-__T__:__:__%'
        or not (v.created_at like '%+__:__"' or v.created_at like '%-__:__"') then null
      when octet_length(v.created_at) in (27, 34) then replace(v.created_at, '+00:00"', 'Z"')
      else rpad(left(v.created_at, -7), 27, '0')
        || replace(right(v.created_at, 7), '+00:00"', 'Z"')
    end
    || ',"updated_at":' || case
      when v.updated_at not like '"____-__-__T__:__:__%'
        or not (v.updated_at like '%+__:__"' or v.updated_at like '%-__:__"') then null
      when octet_length(v.updated_at) in (27, 34) then replace(v.updated_at, '+00:00"', 'Z"')
      else rpad(left(v.updated_at, -7), 27, '0')
        || replace(right(v.updated_at, 7), '+00:00"', 'Z"')
    end
    || '}'
  end as document
from public.tools_current c
cross join lateral (
  select
      c.health::text as health,
      c.latency_ms::text as latency_ms,
      c.uptime_pct::text as uptime_pct,
      c.data_quality::text as data_quality,
      to_json(c.last_checked_at)::text as last_checked_at,
      to_json(c.created_at)::text as created_at,
      to_json(c.updated_at)::text as updated_at
  offset 0
) v;

revoke all on public.tool_documents from public, anon, authenticated;
grant select on public.tool_documents to anon, authenticated, service_role;

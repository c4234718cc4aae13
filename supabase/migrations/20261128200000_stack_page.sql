-- /stack reads only the page it shows (issue 11): filtering, sorting and paging in the database.
--
-- The page read every tool (5,000 Tool models at 5,000 tools, about 100 ms of Python) to show
-- 500. stack_page(payload) answers one page of tools_current and how many tools match;
-- stack_facets answers the filters' choices and the total in one row.
--
-- The order is the one the dashboard's Python gave (web/views/stack.py, sort_tools): text
-- compared case-insensitively as str.lower() then by code point, the status by severity (down,
-- degraded, unknown, maintenance, healthy), missing values last in both directions, ties by
-- name (as tools_current is read, `order by name`), then id.

-- str.lower() is Unicode's full case mapping (final sigma, dotted capital I). PostgreSQL 18's
-- pg_unicode_fast gives exactly that and ICU's root locale the same (PostgreSQL 15-17 built with
-- ICU, as Supabase's are). Without ICU, PostgreSQL 17 falls back to pg_c_utf8 and 15-16 to the
-- database's own character type (C.UTF-8, or C, which folds ASCII only): those map one
-- character to one, so "İ" lowers to "i" (not "i̇") and a final "Σ" to "σ" (not "ς"), and names
-- holding them can sort otherwise than in MemoryStore (docs/schema.md).
-- The names below are constants: nothing a caller sends reaches this statement.
do $$
begin
  if exists (select 1 from pg_catalog.pg_collation where collname = 'pg_unicode_fast') then
    create collation public.stack_fold from pg_catalog.pg_unicode_fast;
  elsif exists (select 1 from pg_catalog.pg_collation where collname = 'und-x-icu') then
    create collation public.stack_fold from pg_catalog."und-x-icu";
  elsif exists (select 1 from pg_catalog.pg_collation where collname = 'pg_c_utf8') then
    create collation public.stack_fold from pg_catalog.pg_c_utf8;
  else
    execute format('create collation public.stack_fold (provider = libc, locale = %L)',
      (select d.datctype from pg_catalog.pg_database d where d.datname = current_database()));
  end if;
end
$$;

create view public.stack_facets with (security_invoker = true) as
select
  count(*) as tools,
  coalesce(array_agg(distinct t.category collate "C" order by t.category collate "C"), '{}')
    as categories,
  coalesce(array_agg(distinct t.owner collate "C" order by t.owner collate "C"), '{}')
    as owners
from public.tools t;

revoke all on public.stack_facets from public, anon, authenticated;
grant select on public.stack_facets to anon, authenticated, service_role;

-- One page: {"tools": [tools_current rows], "matching": n}. The sort is one of a fixed list,
-- chosen by CASE (no identifier is ever built from the payload). A read: anyone who may read
-- tools_current may call it (security invoker), so it raises its own errors (the write
-- helpers are service_role's only).
create function public.stack_page(payload jsonb)
returns json
language plpgsql
stable
set search_path = ''
as $$
declare
  v_allowed constant text[] := array['category', 'status', 'owner', 'sort', 'descending',
    'offset', 'limit'];
  v_sorts constant text[] := array['name', 'category', 'owner', 'status', 'check_kind',
    'health', 'latency_ms', 'uptime_pct', 'data_quality', 'last_checked_at'];
  v_statuses constant text[] := array['healthy', 'degraded', 'down', 'maintenance', 'unknown'];
  v_key text;
  v_filter jsonb;
  v_category text;
  v_status text;
  v_owner text;
  v_sort text := 'name';
  v_desc boolean := false;
  v_offset bigint := 0;
  v_limit bigint := 500;
  v_number numeric;
  v_result json;
begin
  if payload is null or jsonb_typeof(payload) <> 'object' then
    raise exception 'payload: must be a JSON object' using errcode = '22023', detail = 'payload';
  end if;
  select k into v_key from jsonb_object_keys(payload) as k where k <> all (v_allowed) limit 1;
  if v_key is not null then
    raise exception '%: is not a known field (expected: %)', v_key,
      array_to_string(v_allowed, ', ') using errcode = '22023', detail = v_key;
  end if;
  -- the filters compare exactly (no trimming): a value no tool has matches nothing
  foreach v_key in array array['category', 'status', 'owner'] loop
    v_filter := payload -> v_key;
    if v_filter is not null and v_filter <> 'null'::jsonb then
      if jsonb_typeof(v_filter) <> 'string' then
        raise exception '%: must be text', v_key using errcode = '22023', detail = v_key;
      end if;
      if length(v_filter #>> '{}') > 2000 then
        raise exception '%: must be at most 2000 characters', v_key
          using errcode = '22023', detail = v_key;
      end if;
      case v_key
        when 'category' then v_category := v_filter #>> '{}';
        when 'status' then v_status := v_filter #>> '{}';
        else v_owner := v_filter #>> '{}';
      end case;
    end if;
  end loop;
  if v_status is not null and v_status <> all (v_statuses) then
    raise exception 'status: must be one of %', array_to_string(v_statuses, ', ')
      using errcode = '22023', detail = 'status';
  end if;
  if payload ? 'sort' then
    if jsonb_typeof(payload -> 'sort') <> 'string'
        or (payload ->> 'sort') <> all (v_sorts) then
      raise exception 'sort: must be one of %', array_to_string(v_sorts, ', ')
        using errcode = '22023', detail = 'sort';
    end if;
    v_sort := payload ->> 'sort';
  end if;
  if payload ? 'descending' then
    if jsonb_typeof(payload -> 'descending') <> 'boolean' then
      raise exception 'descending: must be true or false' using errcode = '22023',
        detail = 'descending';
    end if;
    v_desc := (payload -> 'descending')::boolean;
  end if;
  if payload ? 'offset' then
    v_number := case when jsonb_typeof(payload -> 'offset') = 'number'
      then (payload -> 'offset')::numeric end;
    if v_number is null or v_number <> trunc(v_number) or v_number not between 0 and 10000000 then
      raise exception 'offset: must be a whole number from 0 to 10000000'
        using errcode = '22023', detail = 'offset';
    end if;
    v_offset := v_number;
  end if;
  if payload ? 'limit' then
    v_number := case when jsonb_typeof(payload -> 'limit') = 'number'
      then (payload -> 'limit')::numeric end;
    if v_number is null or v_number <> trunc(v_number) or v_number not between 1 and 1000 then
      raise exception 'limit: must be a whole number from 1 to 1000'
        using errcode = '22023', detail = 'limit';
    end if;
    v_limit := v_number;
  end if;

  -- Only the sort keys and ids are sorted; the page's 500 rows are then written as json
  -- (text, cheaper to build than jsonb's binary form: about 13 ms against 18 at 5,000 tools).
  with matching as materialized (
    select t.* from public.tools_current t
    where (v_category is null or t.category = v_category)
      and (v_status is null or t.status = v_status)
      and (v_owner is null or t.owner = v_owner)
  ), page as (
    select s.id, row_number() over () as place
    from (
      select m.id
      from matching m
      cross join lateral (
        select
          (case v_sort
            when 'name' then lower(m.name collate public.stack_fold)
            when 'category' then lower(m.category collate public.stack_fold)
            when 'owner' then lower(m.owner collate public.stack_fold)
            when 'check_kind' then lower(m.check_kind collate public.stack_fold)
          end) collate "C" as text_key,
          case v_sort
            when 'status' then case m.status
              when 'down' then 0 when 'degraded' then 1 when 'unknown' then 2
              when 'maintenance' then 3 else 4 end::double precision
            when 'health' then m.health::double precision
            when 'latency_ms' then m.latency_ms::double precision
            when 'uptime_pct' then m.uptime_pct::double precision
            when 'data_quality' then m.data_quality::double precision
          end as number_key,
          case v_sort when 'last_checked_at' then m.last_checked_at end as time_key
      ) k
      order by
        case when not v_desc then k.text_key end asc nulls last,
        case when v_desc then k.text_key end desc nulls last,
        case when not v_desc then k.number_key end asc nulls last,
        case when v_desc then k.number_key end desc nulls last,
        case when not v_desc then k.time_key end asc nulls last,
        case when v_desc then k.time_key end desc nulls last,
        m.name,
        m.id
      offset v_offset
      limit v_limit
    ) s
  )
  select json_build_object(
    'matching', (select count(*) from matching),
    'tools', coalesce(
      (select json_agg(m order by p.place) from page p join matching m on m.id = p.id), '[]')
  ) into v_result;
  return v_result;
end
$$;

revoke execute on function public.stack_page(jsonb) from public, anon, authenticated;
grant execute on function public.stack_page(jsonb) to anon, authenticated, service_role;

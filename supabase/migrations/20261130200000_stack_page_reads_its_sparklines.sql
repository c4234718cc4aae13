-- stack_page gives the page's health sparklines too when asked (issue 11, sixth pass).
--
-- A cold /stack just after a heartbeat read the page (stack_page), then its 500 tools' last 24
-- hours of health (tool_health_24h) in a second round trip, planned again, in another snapshot.
-- With "sparklines": true the same call adds "sparklines": each page tool's row of
-- tool_health_24h ({"tool_id", "health"}: the last 24 hours, oldest first; a tool without a
-- sample in that time has none), by tool id. Without it, the arguments, checks, errors and
-- result are as before (tests/contract/test_stack_page.py, on every store). The body is
-- 20261129100000's, with the flag read, each path's count and rows kept in variables, and the
-- result built once at the end.

create or replace function public.stack_page(payload jsonb)
returns json
language plpgsql
stable
set search_path = ''
-- Planned for the page's own ids each call: a plan cached for any ids (PL/pgSQL's generic plan,
-- chosen after five calls) guessed 10 ids and joined 500 against 500 in a loop, 30 ms.
set plan_cache_mode = force_custom_plan
as $$
declare
  v_allowed constant text[] := array['category', 'status', 'owner', 'sort', 'descending',
    'offset', 'limit', 'sparklines'];
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
  v_ids bigint[];
  v_sparklines boolean := false;
  v_matching bigint;
  v_tools json;
  v_lines json;
  v_negative_zeros json;
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
  if payload ? 'sparklines' then
    if jsonb_typeof(payload -> 'sparklines') <> 'boolean' then
      raise exception 'sparklines: must be true or false' using errcode = '22023',
        detail = 'sparklines';
    end if;
    v_sparklines := (payload -> 'sparklines')::boolean;
  end if;

  -- Sorted by a column of tools (name, category, owner) and filtered by nothing or by tools'
  -- columns: the order, the page and the count need no metrics. tools_current has exactly one row
  -- per tool, so the page's ids are taken from tools, in the order below (the same keys as the
  -- general statement's, ties by name then id), and only those 500 tools' current values are
  -- read: at 5,000 tools every tool's were, about half of a cold /stack's SQL.
  if v_status is null and v_sort in ('name', 'category', 'owner') then
    select coalesce(array_agg(s.id order by s.place), '{}') into v_ids
    from (
      select t.id, row_number() over () as place
      from (
        select t.id
        from public.tools t
        cross join lateral (
          select (case v_sort
            when 'name' then lower(t.name collate public.stack_fold)
            when 'category' then lower(t.category collate public.stack_fold)
            when 'owner' then lower(t.owner collate public.stack_fold)
          end) collate "C" as text_key
        ) k
        where (v_category is null or t.category = v_category)
          and (v_owner is null or t.owner = v_owner)
        order by
          case when not v_desc then k.text_key end asc nulls last,
          case when v_desc then k.text_key end desc nulls last,
          t.name,
          t.id
        offset v_offset
        limit v_limit
      ) t
    ) s;
    select count(*) into v_matching from public.tools t
    where (v_category is null or t.category = v_category)
      and (v_owner is null or t.owner = v_owner);
    select coalesce(
      (select json_agg(c order by p.place)
       from unnest(v_ids) with ordinality as p (id, place)
       join public.tools_current c on c.id = p.id
       -- said again as a filter: it reaches into both branches of the view, where the join
       -- alone had the view evaluated for every tool and hashed
       where c.id = any (v_ids)),
      '[]') into v_tools;
  else
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
    select
      (select count(*) from matching),
      coalesce(
        (select json_agg(m order by p.place) from page p join matching m on m.id = p.id), '[]'),
      (select array_agg(p.id) from page p)
    into v_matching, v_tools, v_ids;
  end if;

  if not v_sparklines then
    return json_build_object('matching', v_matching, 'tools', v_tools);
  end if;
  -- The page's health sparklines, in this call's snapshot: tool_health_24h's rows of the page's
  -- tools, by tool id (each day's tool_id index narrowed to the page's ids).
  -- JSON writes a real -0 as -0, which a reader takes for 0 (drawn "0.0", not "-0.0"): the
  -- tools whose line holds one are named, for the client to read those again as text. Only a
  -- line holding a zero is printed to look (a down check records 0, so zeros are common).
  select
    coalesce(
      json_agg(json_build_object('tool_id', s.tool_id, 'health', s.health) order by s.tool_id),
      '[]'),
    coalesce(
      json_agg(s.tool_id order by s.tool_id)
        filter (where 0 = any (s.health) and '-0' = any (s.health::text[])),
      '[]')
  into v_lines, v_negative_zeros
  from public.tool_health_24h s
  where s.tool_id = any (v_ids);
  return json_build_object('matching', v_matching, 'tools', v_tools, 'sparklines', v_lines,
    'negative_zeros', v_negative_zeros);
end
$$;


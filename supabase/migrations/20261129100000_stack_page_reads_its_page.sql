-- stack_page reads only the shown page's current values when it can (issue 11, fifth pass).
--
-- A cold /stack at 5,000 tools spent about half of stack_page's 13 ms evaluating tools_current
-- for every tool, to sort 5,000 rows and write 500 (the gain is smaller than that: planning the
-- page's read for its ids costs about 3 ms a call; 14.8 -> 13.1 ms, docs/performance.md). Sorted by name, category or owner and
-- filtered by nothing, a category or an owner, nothing of the order, the page or the count
-- comes from metrics: the page's ids are taken from tools and only those tools' rows of
-- tools_current are read. Other sorts and the status filter take the general statement, as
-- before. The same arguments, checks, errors and result (tests/contract/test_stack_page.py
-- compares every sort, direction, filter and page with the Python order on every store).

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
  v_ids bigint[];
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
    select json_build_object(
      'matching', (
        select count(*) from public.tools t
        where (v_category is null or t.category = v_category)
          and (v_owner is null or t.owner = v_owner)
      ),
      'tools', coalesce(
        (select json_agg(c order by p.place)
         from unnest(v_ids) with ordinality as p (id, place)
         join public.tools_current c on c.id = p.id
         -- said again as a filter: it reaches into both branches of the view, where the join
         -- alone had the view evaluated for every tool and hashed
         where c.id = any (v_ids)),
        '[]')
    ) into v_result;
    return v_result;
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


-- Hardening from an adversarial run (issue 8):
-- * the purge and the run-time check measure the retention in absolute time (UTC), so a session
--   time zone whose daylight saving time changed this week never deletes a row early;
-- * a run's time is finite and within [now() - retention, now() + 1 hour]: nothing is written
--   that the same statement would purge, and +-infinity never reaches the log;
-- * text fields are trimmed of every kind of space (tabs, newlines, NBSP, em spaces), so a name
--   made only of them is empty, and refused;
-- * a metric's tool_id and numbers are checked before the insert, naming the field;
-- * set_retention takes 7.0 as 7;
-- * add_tool and update_tool return the tool as the readers see it (one call: a write is
--   either reported or not done), and a retried add of the identical tool answers with it;
-- * record_heartbeat answers a repeat with the stored run's message.

-- The moment before which metrics are purged: now() minus the retention, in UTC, because
-- timestamptz - interval counts "days" in the session's time zone (a 23-hour day in spring).
create function public._retention_cutoff()
returns timestamptz
language sql
stable
set search_path = ''
as $$
  select (now() at time zone 'UTC' - coalesce(
    (select g.retention from public.governance_settings g where g.id), interval '7 days'))
    at time zone 'UTC'
$$;

create or replace function public.purge_old_metrics()
returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_cutoff timestamptz := public._retention_cutoff();
begin
  -- As in 20261125120600_trend_rollups.sql, with the cutoff measured in UTC.
  delete from public.metrics where recorded_at < v_cutoff;
  delete from public.metric_trends_daily where day < (v_cutoff at time zone 'UTC')::date;
  return null;
end
$$;

-- A run's time from the payload (now() when absent): finite, not in the future, not older than
-- what the retention keeps.
create function public._run_time(value jsonb)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
declare
  v_time timestamptz;
begin
  if value is null or value = 'null'::jsonb then
    return now();
  end if;
  if jsonb_typeof(value) = 'string' then
    begin
      v_time := (value #>> '{}')::timestamptz;
    exception when others then
      v_time := null;
    end;
  end if;
  if v_time is null then
    perform public._raise_invalid('ran_at', 'must be an ISO 8601 timestamp with a time zone');
  end if;
  if not isfinite(v_time) then
    perform public._raise_invalid('ran_at', 'must be a finite time, not infinity');
  end if;
  if v_time > now() + interval '1 hour' then
    perform public._raise_invalid('ran_at', 'is more than an hour in the future');
  end if;
  if v_time < public._retention_cutoff() then
    perform public._raise_invalid('ran_at', format(
      'is older than the retention keeps (%s): its metrics would be purged at once',
      (select g.retention from public.governance_settings g where g.id)));
  end if;
  return v_time;
end
$$;

-- A JSON number as numeric; null for anything else (never an error, so checks can use it).
create function public._json_number(value jsonb)
returns numeric
language sql
immutable
set search_path = ''
as $$
  select case when jsonb_typeof(value) = 'number' then (value #>> '{}')::numeric end
$$;

-- Every metric is an object with a whole-number tool_id and finite numbers, checked set-based
-- before the insert so a bad one names its field instead of failing a cast.
create function public._check_metrics(metrics jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_field text;
  v_reason text;
begin
  select f.field, f.reason into v_field, v_reason
  from jsonb_array_elements(metrics) with ordinality as e(m, n)
  cross join lateral (
    select 'metrics' as field, 'each metric must be a JSON object' as reason
    where jsonb_typeof(e.m) <> 'object'
    union all
    select 'tool_id', 'must be a whole number from 1 to 9223372036854775807'
    where jsonb_typeof(e.m) = 'object'
      and coalesce(public._json_number(e.m -> 'tool_id') not between 1 and 9223372036854775807
        or public._json_number(e.m -> 'tool_id') <> trunc(public._json_number(e.m -> 'tool_id')),
        true)
    union all
    select k.key, 'must be a number (or null)'
    from jsonb_each(case when jsonb_typeof(e.m) = 'object' then e.m else '{}' end) as k
    where k.key in ('health', 'latency_ms', 'uptime_pct', 'data_quality')
      and k.value <> 'null'::jsonb
      and coalesce(abs(public._json_number(k.value)) > 1e30, true)
  ) as f
  order by e.n
  limit 1;
  if v_field is not null then
    raise exception 'metrics: % %', v_field, v_reason using errcode = '22023', detail = v_field;
  end if;
end
$$;

-- Trimmed of every space Unicode knows (not only ASCII blanks), so "\t\n", NBSP or em spaces
-- alone are empty. Otherwise as before.
create or replace function public._text_field(payload jsonb, key text, nonempty boolean, max_len integer)
returns text
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v jsonb := payload -> key;
  v_text text;
begin
  if v is null or v = 'null'::jsonb then
    return null;
  end if;
  if jsonb_typeof(v) <> 'string' then
    perform _raise_invalid(key, 'must be text');
  end if;
  v_text := regexp_replace(v #>> '{}',
    '^[\s\u0085\u00a0\u1680\u180e\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+|[\s\u0085\u00a0\u1680\u180e\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+$',
    '', 'g');
  if nonempty and v_text = '' then
    perform _raise_invalid(key, 'must not be empty');
  end if;
  if length(v_text) > max_len then
    perform _raise_invalid(key, format('must be at most %s characters', max_len));
  end if;
  return v_text;
end
$$;

create or replace function public.set_retention(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_days numeric;
begin
  perform _check_keys(payload, array['days']);
  v_days := public._json_number(payload -> 'days');
  if v_days is null or v_days not between 1 and 366 or v_days <> trunc(v_days) then
    perform _raise_invalid('days', 'must be a whole number of days from 1 to 366');
  end if;
  update public.governance_settings
  set retention = make_interval(days => v_days::integer)
  where id;
  return jsonb_build_object('retention_days', v_days::integer);
end
$$;

-- A tool as every reader sees it (tools_current), for the write functions to return.
create function public._tool_json(tool_id bigint)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select to_jsonb(c) from public.tools_current c where c.id = tool_id
$$;

create or replace function public.add_tool(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_new public.tools;
  v_row public.tools;
begin
  perform _check_keys(payload, array['slug', 'name', 'category', 'vendor', 'owner', 'description']);
  v_new.name := _require(_text_field(payload, 'name', true, 120), 'name');
  v_new.slug := _check_slug(
    coalesce(_text_field(payload, 'slug', true, 64), _slugify(v_new.name)), 'slug');
  v_new.category := _require(_text_field(payload, 'category', true, 60), 'category');
  v_new.vendor := coalesce(_text_field(payload, 'vendor', false, 120), '');
  v_new.owner := _require(_text_field(payload, 'owner', true, 120), 'owner');
  v_new.description := coalesce(_text_field(payload, 'description', false, 2000), '');
  insert into public.tools (slug, name, category, vendor, owner, description)
  values (v_new.slug, v_new.name, v_new.category, v_new.vendor, v_new.owner, v_new.description)
  on conflict (slug) do nothing
  returning * into v_row;
  if v_row.id is not null then
    return public._tool_json(v_row.id) || jsonb_build_object('outcome', 'added');
  end if;
  -- The slug is taken. A retry of this very add (its first answer lost) finds its own tool:
  -- answer with it; anything else is a conflict.
  select * into v_row from public.tools t where t.slug = v_new.slug;
  if (v_row.name, v_row.category, v_row.vendor, v_row.owner, v_row.description)
     = (v_new.name, v_new.category, v_new.vendor, v_new.owner, v_new.description) then
    return public._tool_json(v_row.id) || jsonb_build_object('outcome', 'already exists, identical');
  end if;
  raise exception 'slug: a tool with slug "%" already exists', v_new.slug
    using errcode = '23505', detail = 'slug';
end
$$;

-- update_tool as before, answering with the tool as readers see it (tools_current).
create or replace function public.update_tool(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
  v_new_slug text;
  v_row public.tools;
begin
  perform _check_keys(payload,
    array['slug', 'new_slug', 'name', 'category', 'vendor', 'owner', 'description']);
  v_id := _tool_id(_require(_text_field(payload, 'slug', true, 64), 'slug'), 'slug');
  if (select count(*) from jsonb_object_keys(payload) k where k <> 'slug') = 0 then
    perform _raise_invalid('payload', 'names no field to change');
  end if;
  v_new_slug := _text_field(payload, 'new_slug', true, 64);
  if v_new_slug is not null then
    perform _check_slug(v_new_slug, 'new_slug');
  end if;
  begin
    update public.tools t set
      slug = coalesce(v_new_slug, t.slug),
      name = coalesce(_text_field(payload, 'name', true, 120), t.name),
      category = coalesce(_text_field(payload, 'category', true, 60), t.category),
      vendor = coalesce(_text_field(payload, 'vendor', false, 120), t.vendor),
      owner = coalesce(_text_field(payload, 'owner', true, 120), t.owner),
      description = coalesce(_text_field(payload, 'description', false, 2000), t.description),
      updated_at = now()
    where t.id = v_id
    returning * into v_row;
  exception when unique_violation then
    raise exception 'new_slug: a tool with slug "%" already exists', v_new_slug
      using errcode = '23505', detail = 'new_slug';
  end;
  return public._tool_json(v_row.id);
end
$$;

-- The helpers are the write functions' own: only service_role calls them (like the others).
revoke execute on function
  public._retention_cutoff(), public._run_time(jsonb), public._json_number(jsonb),
  public._check_metrics(jsonb), public._tool_json(bigint)
  from public, anon, authenticated;
grant execute on function
  public._retention_cutoff(), public._run_time(jsonb), public._json_number(jsonb),
  public._check_metrics(jsonb), public._tool_json(bigint)
  to service_role;

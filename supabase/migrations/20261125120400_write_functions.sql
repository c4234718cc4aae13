-- Every write goes through one of these functions: one call, one transaction, validated here.
-- Each takes a single jsonb argument named payload, so PostgREST (rpc) and a direct connection
-- call them the same way. A bad field raises SQLSTATE 22023 with the field's name in DETAIL and
-- a message "<field>: <what is wrong>"; an unknown tool raises P0002; a duplicate raises 23505.

create function public._raise_invalid(field text, reason text)
returns void
language plpgsql
as $$
begin
  raise exception '%: %', field, reason using errcode = '22023', detail = field;
end
$$;

create function public._check_keys(payload jsonb, allowed text[])
returns void
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_unknown text;
begin
  if payload is null or jsonb_typeof(payload) <> 'object' then
    perform _raise_invalid('payload', 'must be a JSON object');
  end if;
  select k into v_unknown from jsonb_object_keys(payload) as k where k <> all (allowed) limit 1;
  if v_unknown is not null then
    perform _raise_invalid(v_unknown,
      format('is not a known field (expected: %s)', array_to_string(allowed, ', ')));
  end if;
end
$$;

-- A text field of the payload, trimmed; null when absent. nonempty: present means non-blank.
create function public._text_field(payload jsonb, key text, nonempty boolean, max_len integer)
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
  v_text := btrim(v #>> '{}');
  if nonempty and v_text = '' then
    perform _raise_invalid(key, 'must not be empty');
  end if;
  if length(v_text) > max_len then
    perform _raise_invalid(key, format('must be at most %s characters', max_len));
  end if;
  return v_text;
end
$$;

create function public._require(value text, field text)
returns text
language plpgsql
set search_path = public, pg_temp
as $$
begin
  if value is null then
    perform _raise_invalid(field, 'is required');
  end if;
  return value;
end
$$;

create function public._slugify(name text)
returns text
language sql
immutable
as $$
  select btrim(left(btrim(lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')), '-'), 64), '-')
$$;

create function public._check_slug(slug text, field text)
returns text
language plpgsql
set search_path = public, pg_temp
as $$
begin
  if slug !~ '^[a-z0-9]+(-[a-z0-9]+)*$' or length(slug) > 64 then
    perform _raise_invalid(field,
      'must be lowercase letters and digits joined by single hyphens, like "google-analytics"');
  end if;
  return slug;
end
$$;

create function public._tool_id(slug text, field text)
returns bigint
language plpgsql
stable
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
begin
  select t.id into v_id from public.tools t where t.slug = _tool_id.slug;
  if v_id is null then
    raise exception '%: no tool with slug "%"', field, slug using errcode = 'P0002', detail = field;
  end if;
  return v_id;
end
$$;

create function public.add_tool(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_name text;
  v_slug text;
  v_row public.tools;
begin
  perform _check_keys(payload, array['slug', 'name', 'category', 'vendor', 'owner', 'description']);
  v_name := _require(_text_field(payload, 'name', true, 120), 'name');
  v_slug := _check_slug(coalesce(_text_field(payload, 'slug', true, 64), _slugify(v_name)), 'slug');
  begin
    insert into public.tools (slug, name, category, vendor, owner, description)
    values (
      v_slug,
      v_name,
      _require(_text_field(payload, 'category', true, 60), 'category'),
      coalesce(_text_field(payload, 'vendor', false, 120), ''),
      _require(_text_field(payload, 'owner', true, 120), 'owner'),
      coalesce(_text_field(payload, 'description', false, 2000), '')
    )
    returning * into v_row;
  exception when unique_violation then
    raise exception 'slug: a tool with slug "%" already exists', v_slug
      using errcode = '23505', detail = 'slug';
  end;
  return to_jsonb(v_row);
end
$$;

create function public.update_tool(payload jsonb)
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
  return to_jsonb(v_row);
end
$$;

create function public.remove_tool(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
  v_row public.tools;
begin
  perform _check_keys(payload, array['slug']);
  v_id := _tool_id(_require(_text_field(payload, 'slug', true, 64), 'slug'), 'slug');
  delete from public.tools t where t.id = v_id returning * into v_row;
  return to_jsonb(v_row);
end
$$;

create function public._integration_json(integration_id bigint)
returns jsonb
language sql
stable
set search_path = public, pg_temp
as $$
  select to_jsonb(n) from public.integrations_named n where n.id = integration_id
$$;

create function public.add_integration(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_source bigint;
  v_target bigint;
  v_flow text;
  v_id bigint;
begin
  perform _check_keys(payload, array['source', 'target', 'flow']);
  v_source := _tool_id(_require(_text_field(payload, 'source', true, 64), 'source'), 'source');
  v_target := _tool_id(_require(_text_field(payload, 'target', true, 64), 'target'), 'target');
  v_flow := _require(_text_field(payload, 'flow', true, 120), 'flow');
  if v_source = v_target then
    perform _raise_invalid('target', 'a tool cannot integrate with itself');
  end if;
  begin
    insert into public.tool_integrations (source_id, target_id, flow)
    values (v_source, v_target, v_flow)
    returning id into v_id;
  exception when unique_violation then
    raise exception 'target: an integration from "%" to "%" already exists',
      payload ->> 'source', payload ->> 'target' using errcode = '23505', detail = 'target';
  end;
  return _integration_json(v_id);
end
$$;

create function public._integration_id(payload jsonb)
returns bigint
language plpgsql
stable
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
begin
  select i.id into v_id
  from public.tool_integrations i
  where i.source_id = _tool_id(_require(_text_field(payload, 'source', true, 64), 'source'), 'source')
    and i.target_id = _tool_id(_require(_text_field(payload, 'target', true, 64), 'target'), 'target');
  if v_id is null then
    raise exception 'target: no integration from "%" to "%"', payload ->> 'source', payload ->> 'target'
      using errcode = 'P0002', detail = 'target';
  end if;
  return v_id;
end
$$;

create function public.update_integration(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
begin
  perform _check_keys(payload, array['source', 'target', 'flow']);
  v_id := _integration_id(payload);
  update public.tool_integrations
  set flow = _require(_text_field(payload, 'flow', true, 120), 'flow')
  where id = v_id;
  return _integration_json(v_id);
end
$$;

create function public.remove_integration(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_result jsonb;
  v_id bigint;
begin
  perform _check_keys(payload, array['source', 'target']);
  v_id := _integration_id(payload);
  v_result := _integration_json(v_id);
  delete from public.tool_integrations where id = v_id;
  return v_result;
end
$$;

create function public.set_retention(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_days jsonb;
begin
  perform _check_keys(payload, array['days']);
  v_days := payload -> 'days';
  if v_days is null or jsonb_typeof(v_days) <> 'number'
     or (v_days #>> '{}')::numeric not between 1 and 366
     or (v_days #>> '{}')::numeric <> trunc((v_days #>> '{}')::numeric) then
    perform _raise_invalid('days', 'must be a whole number of days from 1 to 366');
  end if;
  update public.governance_settings
  set retention = make_interval(days => (v_days #>> '{}')::integer)
  where id;
  return jsonb_build_object('retention_days', (v_days #>> '{}')::integer);
end
$$;

-- One heartbeat run: every tool's metrics and one heartbeat_log row, set-based, in one call.
-- Idempotent on run_key: the log row claims the key first, so a repeat (or ten at once) waits
-- on the unique index and then reports "already recorded" without writing anything.
create function public.record_heartbeat(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_run_key text;
  v_ran_at timestamptz;
  v_source text;
  v_message text;
  v_duration real;
  v_id bigint;
  v_total integer;
  v_healthy integer;
  v_degraded integer;
  v_down integer;
  v_constraint text;
  v_field text;
  v_existing public.heartbeat_log;
begin
  perform _check_keys(payload, array['run_key', 'ran_at', 'source', 'message', 'duration_ms', 'metrics']);
  v_run_key := _require(_text_field(payload, 'run_key', true, 200), 'run_key');
  v_source := coalesce(_text_field(payload, 'source', true, 20), 'scheduled');
  if v_source not in ('scheduled', 'manual', 'backfill') then
    perform _raise_invalid('source', 'must be one of scheduled, manual, backfill');
  end if;
  v_message := coalesce(_text_field(payload, 'message', false, 500), '');
  begin
    v_ran_at := coalesce((payload ->> 'ran_at')::timestamptz, now());
  exception when others then
    perform _raise_invalid('ran_at', 'must be an ISO 8601 timestamp with a time zone');
  end;
  if v_ran_at > now() + interval '1 hour' then
    perform _raise_invalid('ran_at', 'is more than an hour in the future');
  end if;
  if jsonb_typeof(payload -> 'duration_ms') not in ('number') and payload ? 'duration_ms' then
    perform _raise_invalid('duration_ms', 'must be a number of milliseconds');
  end if;
  v_duration := coalesce((payload ->> 'duration_ms')::real, 0);
  if v_duration < 0 then
    perform _raise_invalid('duration_ms', 'must not be negative');
  end if;
  if jsonb_typeof(payload -> 'metrics') is distinct from 'array' then
    perform _raise_invalid('metrics', 'must be an array of {tool_id, health, latency_ms, uptime_pct, data_quality, status}');
  end if;

  insert into public.heartbeat_log (run_key, ran_at, source, message, duration_ms)
  values (v_run_key, v_ran_at, v_source, v_message, v_duration)
  on conflict (run_key) do nothing
  returning id into v_id;

  if v_id is null then
    select * into v_existing from public.heartbeat_log h where h.run_key = v_run_key;
    return jsonb_build_object(
      'status', 'already recorded', 'run_key', v_run_key, 'ran_at', v_existing.ran_at,
      'tools_checked', v_existing.tools_checked, 'healthy', v_existing.healthy_count,
      'degraded', v_existing.degraded_count, 'down', v_existing.down_count);
  end if;

  begin
    with inserted as (
      insert into public.metrics
        (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status)
      select m.tool_id, v_ran_at, m.health, m.latency_ms, m.uptime_pct, m.data_quality, m.status
      from jsonb_to_recordset(payload -> 'metrics') as m(
        tool_id bigint, health real, latency_ms real, uptime_pct real, data_quality real,
        status text)
      returning status
    )
    select
      count(*),
      count(*) filter (where status = 'healthy'),
      count(*) filter (where status = 'degraded'),
      count(*) filter (where status = 'down')
    into v_total, v_healthy, v_degraded, v_down
    from inserted;
  exception
    when foreign_key_violation then
      get stacked diagnostics v_constraint = pg_exception_detail;
      raise exception 'metrics: a metric names a tool that does not exist (tool_id %)',
        coalesce(substring(v_constraint from 'Key \(tool_id\)=\((\d+)\)'), 'unknown')
        using errcode = '23503', detail = 'tool_id';
    when unique_violation then
      raise exception 'metrics: a tool appears twice in this run, or already has a metric at %',
        v_ran_at using errcode = '23505', detail = 'tool_id';
    when not_null_violation then
      get stacked diagnostics v_constraint = column_name;
      raise exception 'metrics: every metric needs %', v_constraint
        using errcode = '22023', detail = v_constraint;
    when check_violation then
      get stacked diagnostics v_constraint = constraint_name;
      v_field := case v_constraint
        when 'metrics_health_range' then 'health'
        when 'metrics_latency_range' then 'latency_ms'
        when 'metrics_uptime_range' then 'uptime_pct'
        when 'metrics_data_quality_range' then 'data_quality'
        when 'metrics_status_known' then 'status'
        else 'metrics'
      end;
      raise exception 'metrics: % %', v_field, case v_field
          when 'latency_ms' then 'must not be negative'
          when 'status' then 'must be one of healthy, degraded, down'
          when 'metrics' then v_constraint
          else 'must be between 0 and 100'
        end
        using errcode = '22023', detail = v_field;
  end;

  update public.heartbeat_log
  set tools_checked = v_total, healthy_count = v_healthy, degraded_count = v_degraded,
      down_count = v_down
  where id = v_id;

  return jsonb_build_object(
    'status', 'recorded', 'run_key', v_run_key, 'ran_at', v_ran_at, 'tools_checked', v_total,
    'healthy', v_healthy, 'degraded', v_degraded, 'down', v_down);
end
$$;

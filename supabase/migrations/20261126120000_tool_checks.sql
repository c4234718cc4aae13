-- Real signals (issue 9): each tool's check, what each real reading saw, and ping tokens.
-- A check is simulated unless a row here says otherwise. Its configuration may name environment
-- variables (${NAME}) for secrets, never the secrets; even so only the service role reads it:
-- anon and authenticated may read which kind a tool's check is, nothing more.

create table public.tool_checks (
  tool_id bigint primary key references public.tools (id) on delete cascade,
  kind text not null default 'simulated',
  config jsonb not null default '{}',
  ping_token_hash text,
  last_ping_at timestamptz,
  last_ping_ok boolean,
  updated_at timestamptz not null default now(),
  constraint tool_checks_kind_known check (kind in ('simulated', 'statuspage', 'http', 'ping')),
  constraint tool_checks_config_object check (jsonb_typeof(config) = 'object'),
  constraint tool_checks_token_hash_format check (ping_token_hash ~ '^[0-9a-f]{64}$'),
  constraint tool_checks_ping_token_hash_key unique (ping_token_hash)
);

-- What a real check saw at one run, beside that run's metric row (and purged with it).
create table public.tool_readings (
  tool_id bigint not null,
  recorded_at timestamptz not null,
  kind text not null,
  detail text not null default '',
  vendor_incidents jsonb not null default '[]',
  primary key (tool_id, recorded_at),
  foreign key (tool_id, recorded_at) references public.metrics (tool_id, recorded_at)
    on delete cascade,
  constraint tool_readings_kind_known check (kind in ('simulated', 'statuspage', 'http', 'ping')),
  constraint tool_readings_detail_length check (length(detail) <= 500),
  constraint tool_readings_incidents_array check (jsonb_typeof(vendor_incidents) = 'array')
);

alter table public.tool_checks enable row level security;
alter table public.tool_readings enable row level security;
revoke all on public.tool_checks, public.tool_readings from public, anon, authenticated;
grant select (tool_id, kind) on public.tool_checks to anon, authenticated;
grant select on public.tool_readings to anon, authenticated;
grant select, insert, update, delete on public.tool_checks, public.tool_readings to service_role;
create policy "kind readable by everyone" on public.tool_checks
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.tool_readings
  for select to anon, authenticated using (true);
create policy "written by the service role" on public.tool_checks
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.tool_readings
  for all to service_role using (true) with check (true);

-- Every tool with the kind of its check, so readers never mistake a simulated number for a real one.
create view public.tool_check_kinds with (security_invoker = true) as
select t.id as tool_id, t.slug, coalesce(c.kind, 'simulated') as kind
from public.tools t
left join public.tool_checks c on c.tool_id = t.id;

-- Each real reading's detail and the vendor's open incidents, newest first per tool.
create view public.tool_readings_named with (security_invoker = true) as
select r.tool_id, t.slug, r.recorded_at, r.kind, r.detail, r.vendor_incidents
from public.tool_readings r
join public.tools t on t.id = r.tool_id;

-- Real uptime: the share of a checked tool's samples that were up over the retention window.
-- Maintenance counts neither way.
create view public.check_uptime with (security_invoker = true) as
select
  m.tool_id,
  count(*) filter (where m.status <> 'maintenance')::integer as samples,
  count(*) filter (where m.status in ('healthy', 'degraded'))::integer as up
from public.metrics m
join public.tool_checks c on c.tool_id = m.tool_id and c.kind <> 'simulated'
where m.recorded_at >= now() - coalesce(
  (select g.retention from public.governance_settings g where g.id), interval '7 days')
group by m.tool_id;

revoke all on public.tool_check_kinds, public.tool_readings_named, public.check_uptime
  from public, anon, authenticated;
grant select on public.tool_check_kinds, public.tool_readings_named
  to anon, authenticated, service_role;
grant select on public.check_uptime to service_role;

-- A header value must be a reference to an environment variable, so no secret is ever stored.
create function public._check_headers(v jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_key text;
  v_value jsonb;
begin
  if v is null or v = 'null'::jsonb then
    return '{}';
  end if;
  if jsonb_typeof(v) <> 'object' then
    perform public._raise_invalid('headers', 'must be an object of header names to ${ENV_NAME}');
  end if;
  for v_key, v_value in select * from jsonb_each(v) loop
    if v_key !~ '^[A-Za-z0-9-]{1,64}$' then
      perform public._raise_invalid('headers', 'names must be letters, digits and hyphens');
    end if;
    if jsonb_typeof(v_value) <> 'string' or (v_value #>> '{}') !~ '^\$\{[A-Z_][A-Z0-9_]{0,63}\}$' then
      perform public._raise_invalid('headers',
        format('%s must be a reference to an environment variable like ${API_KEY}, never the secret itself', v_key));
    end if;
  end loop;
  return v;
end
$$;

create function public._check_url(payload jsonb, field text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_url text := public._require(public._text_field(payload, field, true, 2000), field);
begin
  if v_url !~* '^https?://[^/\s?#]+' or v_url ~ '[[:cntrl:]\s<>"]' then
    perform public._raise_invalid(field, 'must be an http:// or https:// URL');
  end if;
  return v_url;
end
$$;

-- A whole number field within bounds, or the default when absent.
create function public._int_field(payload jsonb, key text, low integer, high integer, fallback integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v jsonb := payload -> key;
begin
  if v is null or v = 'null'::jsonb then
    return fallback;
  end if;
  if jsonb_typeof(v) <> 'number' or (v #>> '{}')::numeric <> trunc((v #>> '{}')::numeric)
     or (v #>> '{}')::numeric not between low and high then
    perform public._raise_invalid(key, format('must be a whole number from %s to %s', low, high));
  end if;
  return (v #>> '{}')::integer;
end
$$;

-- Set a tool's check. payload: {slug, kind, ...} with, by kind,
--   statuspage: url, components (names or ids)
--   http: url, method (GET|HEAD), expect (statuses; empty means any 2xx), keyword, json_pointer,
--         timeout_s, cert_days, headers ({name: "${ENV_NAME}"})
--   ping: every_s, grace_s, token_hash (sha256 hex of a new token; absent keeps the current one)
create function public.set_check(payload jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_tool bigint;
  v_kind text;
  v_config jsonb := '{}';
  v_hash text;
  v_item jsonb;
  v_method text;
begin
  perform public._check_keys(payload, array['slug', 'kind', 'url', 'components', 'method',
    'expect', 'keyword', 'json_pointer', 'timeout_s', 'cert_days', 'headers', 'every_s',
    'grace_s', 'token_hash']);
  v_tool := public._tool_id(public._require(public._text_field(payload, 'slug', true, 64), 'slug'), 'slug');
  v_kind := public._require(public._text_field(payload, 'kind', true, 20), 'kind');
  if v_kind not in ('simulated', 'statuspage', 'http', 'ping') then
    perform public._raise_invalid('kind', 'must be one of simulated, statuspage, http, ping');
  end if;
  if v_kind = 'statuspage' then
    v_config := jsonb_build_object('url', public._check_url(payload, 'url'), 'components', '[]'::jsonb);
    if payload ? 'components' and payload -> 'components' <> 'null'::jsonb then
      if jsonb_typeof(payload -> 'components') <> 'array' or jsonb_array_length(payload -> 'components') > 100 then
        perform public._raise_invalid('components', 'must be a list of at most 100 component names or ids');
      end if;
      for v_item in select * from jsonb_array_elements(payload -> 'components') loop
        if jsonb_typeof(v_item) <> 'string' or btrim(v_item #>> '{}') = ''
           or length(v_item #>> '{}') > 200 or (v_item #>> '{}') ~ '[[:cntrl:]]' then
          perform public._raise_invalid('components', 'each must be a name or id of 1 to 200 characters');
        end if;
      end loop;
      v_config := jsonb_set(v_config, '{components}', payload -> 'components');
    end if;
  elsif v_kind = 'http' then
    v_method := upper(coalesce(public._text_field(payload, 'method', true, 10), 'GET'));
    if v_method not in ('GET', 'HEAD') then
      perform public._raise_invalid('method', 'must be GET or HEAD');
    end if;
    v_config := jsonb_build_object(
      'url', public._check_url(payload, 'url'),
      'method', v_method,
      'expect', '[]'::jsonb,
      'keyword', public._text_field(payload, 'keyword', true, 200),
      'json_pointer', public._text_field(payload, 'json_pointer', true, 200),
      'timeout_s', public._int_field(payload, 'timeout_s', 1, 60, 10),
      'cert_days', public._int_field(payload, 'cert_days', 0, 365, 14),
      'headers', public._check_headers(payload -> 'headers'));
    if coalesce(payload ->> 'keyword', '') ~ '[[:cntrl:]]' then
      perform public._raise_invalid('keyword', 'must not contain control characters');
    end if;
    if payload ->> 'json_pointer' is not null and (payload ->> 'json_pointer') !~ '^(/[^[:cntrl:]]*)*$' then
      perform public._raise_invalid('json_pointer', 'must be a JSON pointer like /status/ok');
    end if;
    if payload ? 'expect' and payload -> 'expect' <> 'null'::jsonb then
      if jsonb_typeof(payload -> 'expect') <> 'array' or jsonb_array_length(payload -> 'expect') > 20 then
        perform public._raise_invalid('expect', 'must be a list of at most 20 HTTP statuses');
      end if;
      for v_item in select * from jsonb_array_elements(payload -> 'expect') loop
        if jsonb_typeof(v_item) <> 'number' or (v_item #>> '{}')::numeric
           not in (select generate_series(100, 599)::numeric) then
          perform public._raise_invalid('expect', 'each must be an HTTP status from 100 to 599');
        end if;
      end loop;
      v_config := jsonb_set(v_config, '{expect}', payload -> 'expect');
    end if;
  elsif v_kind = 'ping' then
    v_config := jsonb_build_object(
      'every_s', public._int_field(payload, 'every_s', 60, 31 * 86400, 3600),
      'grace_s', public._int_field(payload, 'grace_s', 0, 7 * 86400, 1800));
    v_hash := public._text_field(payload, 'token_hash', true, 64);
    if v_hash is not null and v_hash !~ '^[0-9a-f]{64}$' then
      perform public._raise_invalid('token_hash', 'must be a sha256 digest in hex');
    end if;
  end if;

  insert into public.tool_checks as c (tool_id, kind, config, ping_token_hash, updated_at)
  values (v_tool, v_kind, v_config, v_hash, now())
  on conflict (tool_id) do update set
    kind = excluded.kind,
    config = excluded.config,
    -- a ping check keeps its token unless a new one is given; other kinds drop it
    ping_token_hash = case when excluded.kind = 'ping'
      then coalesce(excluded.ping_token_hash, c.ping_token_hash) end,
    last_ping_at = case when excluded.kind = 'ping' then c.last_ping_at end,
    last_ping_ok = case when excluded.kind = 'ping' then c.last_ping_ok end,
    updated_at = now();
  return (select jsonb_build_object('tool_id', c.tool_id, 'kind', c.kind, 'config', c.config,
      'has_token', c.ping_token_hash is not null)
    from public.tool_checks c where c.tool_id = v_tool);
end
$$;

-- A pipeline's ping: {token_hash, ok}. The token is looked up by its sha256 digest, so the stored
-- value is useless to a reader and no comparison leaks how much of a guess was right.
create function public.record_ping(payload jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_hash text;
  v_slug text;
begin
  perform public._check_keys(payload, array['token_hash', 'ok']);
  v_hash := public._require(public._text_field(payload, 'token_hash', true, 64), 'token_hash');
  if jsonb_typeof(payload -> 'ok') is distinct from 'boolean' then
    perform public._raise_invalid('ok', 'must be true or false');
  end if;
  update public.tool_checks c
  set last_ping_at = now(), last_ping_ok = (payload ->> 'ok')::boolean
  where c.ping_token_hash = v_hash and c.kind = 'ping'
  returning (select t.slug from public.tools t where t.id = c.tool_id) into v_slug;
  if v_slug is null then
    raise exception 'token: no ping check has this token' using errcode = 'P0002', detail = 'token';
  end if;
  return jsonb_build_object('slug', v_slug, 'ok', (payload ->> 'ok')::boolean);
end
$$;

-- The readings of one run that are not plain simulation: kind, detail, the vendor's incidents.
create function public._record_readings(payload jsonb, ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
begin
  insert into public.tool_readings (tool_id, recorded_at, kind, detail, vendor_incidents)
  select m.tool_id, ran_at, m.kind, left(coalesce(m.detail, ''), 500),
    coalesce(m.vendor_incidents, '[]')
  from jsonb_to_recordset(payload -> 'metrics')
    as m(tool_id bigint, kind text, detail text, vendor_incidents jsonb)
  where m.kind is not null and m.kind <> 'simulated';
exception
  when check_violation then
    raise exception 'metrics: kind must be one of simulated, statuspage, http, ping'
      using errcode = '22023', detail = 'kind';
end
$$;

revoke execute on function public._check_headers(jsonb), public._check_url(jsonb, text),
  public._int_field(jsonb, text, integer, integer, integer), public.set_check(jsonb),
  public.record_ping(jsonb), public._record_readings(jsonb, timestamptz)
  from public, anon, authenticated;
grant execute on function public._check_headers(jsonb), public._check_url(jsonb, text),
  public._int_field(jsonb, text, integer, integer, integer), public.set_check(jsonb),
  public.record_ping(jsonb), public._record_readings(jsonb, timestamptz)
  to service_role;

-- record_heartbeat stores each run's readings through public._record_readings; its one body is in
-- 20261126135900_record_heartbeat_hardening.sql, which holds every change to it since 20261125120400.


-- tools_current gains the kind of each tool's check (last column, so the view is replaced in place).
create or replace view public.tools_current with (security_invoker = true) as
select
  t.id,
  t.slug,
  t.name,
  t.category,
  t.vendor,
  t.owner,
  t.description,
  coalesce(m.status, 'unknown') as status,
  m.health,
  m.latency_ms,
  m.uptime_pct,
  m.data_quality,
  m.recorded_at as last_checked_at,
  t.created_at,
  t.updated_at,
  coalesce(c.kind, 'simulated') as check_kind
from public.tools t
left join public.tool_checks c on c.tool_id = t.id
left join lateral (
  select lm.status, lm.health, lm.latency_ms, lm.uptime_pct, lm.data_quality, lm.recorded_at
  from public.metrics lm
  where lm.tool_id = t.id
  order by lm.recorded_at desc
  limit 1
) m on true;

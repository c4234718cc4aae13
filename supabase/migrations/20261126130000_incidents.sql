-- Incidents that follow the integration graph, and the outbox that announces them (issue 10).
--
-- Decided in SQL, inside record_heartbeat's transaction: a retried or concurrent run never opens
-- two incidents, and a crash never loses one (or its message). Python only delivers the outbox.
--
--   tool_alert_state   each tool's latest observed status and how many runs in a row it held
--   incident_guards    the flap guard per tool: runs failing to open, runs healthy to resolve
--   incidents          one per root cause: the root tool, severity, opened/resolved, summary
--   incident_tools     the tools in an incident (the root and its failing downstream)
--   notification_*     channels (secrets: service role only), events, and the outbox

create table public.incident_guards (
  tool_id bigint primary key references public.tools (id) on delete cascade,
  open_after smallint not null default 2,
  resolve_after smallint not null default 2,
  constraint incident_guards_open_range check (open_after between 1 and 48),
  constraint incident_guards_resolve_range check (resolve_after between 1 and 48)
);

create table public.tool_alert_state (
  tool_id bigint primary key references public.tools (id) on delete cascade,
  status text not null,
  streak integer not null,
  observed_at timestamptz not null,
  constraint tool_alert_state_streak_range check (streak >= 1)
);

create table public.incidents (
  id bigint generated always as identity primary key,
  tool_id bigint not null references public.tools (id) on delete cascade,
  severity text not null,
  opened_at timestamptz not null,
  resolved_at timestamptz,
  summary text not null default '',
  constraint incidents_severity_known check (severity in ('degraded', 'down')),
  constraint incidents_resolved_after_opened check (resolved_at is null or resolved_at >= opened_at)
);
comment on column public.incidents.tool_id is 'The root cause: the most upstream failing tool.';
-- A root has at most one open incident: the backstop if two runs ever raced past the lock.
create unique index incidents_one_open_per_root on public.incidents (tool_id)
  where resolved_at is null;
create index incidents_opened_at_idx on public.incidents (opened_at desc);

create table public.incident_tools (
  incident_id bigint not null references public.incidents (id) on delete cascade,
  tool_id bigint not null references public.tools (id) on delete cascade,
  joined_at timestamptz not null,
  left_at timestamptz,
  primary key (incident_id, tool_id)
);
-- A tool is in at most one open incident at a time.
create unique index incident_tools_one_active on public.incident_tools (tool_id)
  where left_at is null;

create table public.notification_channels (
  id bigint generated always as identity primary key,
  kind text not null,
  label text not null,
  url text not null,
  secret text,
  created_at timestamptz not null default now(),
  constraint notification_channels_kind_known check (kind in ('slack', 'webhook')),
  constraint notification_channels_secret_for_webhooks check ((kind = 'webhook') = (secret is not null)),
  constraint notification_channels_label_length check (btrim(label) <> '' and length(label) <= 120),
  constraint notification_channels_url_length check (length(url) <= 2000)
);

create table public.notification_events (
  id bigint generated always as identity primary key,
  kind text not null,
  incident_id bigint references public.incidents (id) on delete set null,
  run_id bigint references public.heartbeat_log (id) on delete set null,
  occurred_at timestamptz not null,
  body jsonb not null,
  constraint notification_events_kind_known check (kind in
    ('incident_opened', 'incident_resolved', 'heartbeat_quiet', 'heartbeat_resumed'))
);
create index notification_events_incident_idx on public.notification_events (incident_id);
create index notification_events_run_idx on public.notification_events (run_id);

create table public.notification_outbox (
  id bigint generated always as identity primary key,
  event_id bigint not null references public.notification_events (id) on delete cascade,
  channel_id bigint not null references public.notification_channels (id) on delete cascade,
  -- The Standard Webhooks id: fixed when the message is written, the same on every retry.
  message_id text not null default ('msg_' || replace(gen_random_uuid()::text, '-', '')),
  status text not null default 'pending',
  attempts integer not null default 0,
  last_error text not null default '',
  created_at timestamptz not null default now(),
  locked_until timestamptz,
  finished_at timestamptz,
  constraint notification_outbox_status_known check (status in ('pending', 'delivered', 'failed')),
  constraint notification_outbox_one_per_channel unique (event_id, channel_id),
  constraint notification_outbox_message_id_key unique (message_id),
  constraint notification_outbox_error_length check (length(last_error) <= 500)
);
create index notification_outbox_pending_idx on public.notification_outbox (id)
  where status = 'pending';

create table public.watchdog_state (
  id boolean primary key default true,
  quiet boolean not null default false,
  latest_ran_at timestamptz,
  changed_at timestamptz,
  constraint watchdog_state_single_row check (id)
);
insert into public.watchdog_state (id) values (true);

-- healthy counts toward resolving, degraded and down toward opening, maintenance toward neither.
create function public._status_class(status text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case status when 'healthy' then 'ok' when 'maintenance' then 'maintenance'
    else 'failing' end
$$;

-- "HubSpot is down. Salesforce and Braze are downstream. Priya Raman has been told."
create function public._incident_summary(p_incident bigint)
returns text
language sql
stable
set search_path = ''
as $$
  with i as (
    select i.id, i.severity, t.name, t.owner
    from public.incidents i join public.tools t on t.id = i.tool_id
    where i.id = p_incident
  ), downstream as (
    select array_agg(t.name order by t.name) as names
    from public.incident_tools m
    join public.incidents i on i.id = m.incident_id
    join public.tools t on t.id = m.tool_id
    where m.incident_id = p_incident and m.tool_id <> i.tool_id
  )
  select format('%s is %s.', i.name, i.severity)
    || case
      when d.names is null then ''
      when cardinality(d.names) = 1 then format(' %s is downstream.', d.names[1])
      when cardinality(d.names) <= 8 then format(' %s and %s are downstream.',
        array_to_string(d.names[1:cardinality(d.names) - 1], ', '), d.names[cardinality(d.names)])
      else format(' %s and %s more are downstream.', array_to_string(d.names[1:6], ', '),
        cardinality(d.names) - 6)
    end
    || format(' %s has been told.', i.owner)
  from i cross join downstream d
$$;

-- What a message says, fixed when the event is written, so every retry sends the same body.
create function public._incident_body(p_incident bigint)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'incident_id', i.id,
    'severity', i.severity,
    'opened_at', i.opened_at,
    'resolved_at', i.resolved_at,
    'summary', case when i.resolved_at is null then i.summary
      else format('%s is back after %s h; it was %s at worst. The downstream can stand down.',
        r.name, round(extract(epoch from i.resolved_at - i.opened_at) / 3600.0, 1), i.severity)
      end,
    'root', jsonb_build_object('slug', r.slug, 'name', r.name, 'owner', r.owner),
    'tools', (
      select jsonb_agg(jsonb_build_object('slug', t.slug, 'name', t.name, 'owner', t.owner,
          'status', coalesce(s.status, 'unknown'), 'root', t.id = i.tool_id)
        order by t.id <> i.tool_id, t.name)
      from public.incident_tools m
      join public.tools t on t.id = m.tool_id
      left join public.tool_alert_state s on s.tool_id = t.id
      where m.incident_id = i.id
    ))
  from public.incidents i join public.tools r on r.id = i.tool_id
  where i.id = p_incident
$$;

-- One event, and one outbox row per channel that exists now. A backfilled run writes the event
-- (the feed tells it) but sends nothing: history is not news.
create function public._notify(p_kind text, p_incident bigint, p_run bigint, p_at timestamptz,
  p_body jsonb)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_event bigint;
begin
  insert into public.notification_events (kind, incident_id, run_id, occurred_at, body)
  values (p_kind, p_incident, p_run, p_at, p_body)
  returning id into v_event;
  insert into public.notification_outbox (event_id, channel_id)
  select v_event, c.id from public.notification_channels c
  where not exists (select 1 from public.heartbeat_log h where h.id = p_run and h.source = 'backfill')
  order by c.id;
  return v_event;
end
$$;

-- The flap guard and root-cause grouping for one recorded run.
create function public._apply_incidents(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_alarm bigint[];
  v_resolved bigint[];
  v_opened bigint[];
  v_tools bigint[];
  v_roots bigint[];
  v_id bigint;
begin
  -- Runs are applied one at a time: each decision reads what the previous run decided.
  perform pg_advisory_xact_lock(hashtext('worksinprod.incidents'));

  -- Streaks: how many runs in a row each tool of this run held its class of status. An older
  -- run recorded late (a backfill) does not move a streak backwards.
  insert into public.tool_alert_state as s (tool_id, status, streak, observed_at)
  select m.tool_id, m.status, 1, m.recorded_at
  from public.metrics m
  where m.recorded_at = p_ran_at
  on conflict (tool_id) do update
    set streak = case
          when public._status_class(excluded.status) = public._status_class(s.status)
          then s.streak + 1 else 1 end,
        status = excluded.status,
        observed_at = excluded.observed_at
    where s.observed_at < excluded.observed_at;

  -- In alarm: failing for open_after runs, or already in an incident and not yet healthy for
  -- resolve_after runs (maintenance freezes a tool where it is).
  v_alarm := array(
    select s.tool_id
    from public.tool_alert_state s
    left join public.incident_guards g on g.tool_id = s.tool_id
    where (public._status_class(s.status) = 'failing' and s.streak >= coalesce(g.open_after, 2))
       or (exists (select 1 from public.incident_tools m
                   where m.tool_id = s.tool_id and m.left_at is null)
           and not (s.status = 'healthy' and s.streak >= coalesce(g.resolve_after, 2))));

  -- Recovered tools leave; an incident whose root recovered is resolved, and its members
  -- still failing are grouped again below (split off under a new root, or joined elsewhere).
  update public.incident_tools m set left_at = p_ran_at
  where m.left_at is null and not (m.tool_id = any (v_alarm));
  with resolved as (
    update public.incidents i set resolved_at = p_ran_at
    where i.resolved_at is null and not (i.tool_id = any (v_alarm))
    returning i.id
  )
  select coalesce(array_agg(id), '{}') into v_resolved from resolved;
  update public.incident_tools m set left_at = p_ran_at
  where m.left_at is null and m.incident_id = any (v_resolved);

  -- Each tool in alarm has a root: among its failing ancestors (itself included, upstream
  -- through tool_integrations, transitively), the one with the fewest failing ancestors of its
  -- own; in a cycle, the lowest id. A tool not yet in an incident joins its root's incident;
  -- a root not in one opens it.
  with recursive up (origin, node) as (
    select a, a from unnest(v_alarm) a
    union
    select u.origin, i.source_id
    from up u join public.tool_integrations i on i.target_id = u.node
  ), failing_up as (
    select origin, node from up where node = any (v_alarm)
  ), depth as (
    select origin, count(*) as n from failing_up group by origin
  ), roots as (
    select distinct on (f.origin) f.origin as tool_id, f.node as root_id
    from failing_up f join depth d on d.origin = f.node
    order by f.origin, d.n, f.node
  )
  select coalesce(array_agg(tool_id order by tool_id), '{}'),
         coalesce(array_agg(root_id order by tool_id), '{}')
  into v_tools, v_roots
  from roots;

  with opened as (
    insert into public.incidents (tool_id, severity, opened_at)
    select r.tool_id, 'degraded', p_ran_at
    from unnest(v_tools, v_roots) as r (tool_id, root_id)
    where r.root_id = r.tool_id
      and not exists (select 1 from public.incident_tools m
                      where m.tool_id = r.tool_id and m.left_at is null)
    returning id, tool_id
  ), members as (
    insert into public.incident_tools (incident_id, tool_id, joined_at)
    select o.id, o.tool_id, p_ran_at from opened o
    returning incident_id
  )
  select coalesce(array_agg(incident_id), '{}') into v_opened from members;

  insert into public.incident_tools as m (incident_id, tool_id, joined_at)
  select rm.incident_id, r.tool_id, p_ran_at
  from unnest(v_tools, v_roots) as r (tool_id, root_id)
  join public.incident_tools rm on rm.tool_id = r.root_id and rm.left_at is null
  where not exists (select 1 from public.incident_tools a
                    where a.tool_id = r.tool_id and a.left_at is null)
  on conflict (incident_id, tool_id) do update set left_at = null;

  -- Severity only escalates; the summary names the current blast radius.
  update public.incidents i
  set severity = case when i.severity = 'down' or exists (
        select 1 from public.incident_tools m join public.tool_alert_state s using (tool_id)
        where m.incident_id = i.id and m.left_at is null and s.status = 'down')
      then 'down' else 'degraded' end
  where i.resolved_at is null;
  update public.incidents i set summary = public._incident_summary(i.id)
  where i.resolved_at is null or i.id = any (v_resolved);

  -- One message per incident opened or resolved; never per run or per downstream tool.
  foreach v_id in array v_resolved loop
    perform public._notify('incident_resolved', v_id, p_run, p_ran_at, public._incident_body(v_id));
  end loop;
  foreach v_id in array v_opened loop
    perform public._notify('incident_opened', v_id, p_run, p_ran_at, public._incident_body(v_id));
  end loop;
end
$$;

-- A run newer than the one the watchdog last saw before going quiet means runs resumed.
create function public._watchdog_heard(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
begin
  update public.watchdog_state w
  set quiet = false, changed_at = now(), latest_ran_at = p_ran_at
  where w.id and w.quiet and p_ran_at > coalesce(w.latest_ran_at, '-infinity');
  if found then
    perform public._notify('heartbeat_resumed', null, p_run, p_ran_at,
      jsonb_build_object('summary', 'The heartbeat is back.', 'latest_ran_at', p_ran_at));
  end if;
end
$$;

-- Everything issue 10 decides after a run is stored; record_heartbeat calls this once.
create function public._after_heartbeat(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform public._apply_incidents(p_run, p_ran_at);
  perform public._watchdog_heard(p_run, p_ran_at);
end
$$;

-- The watchdog, evaluated on demand (the sender, `worksinprod notify send`): quiet when the
-- latest run is older than two slots. One event when it goes quiet, one when runs resume.
create function public.check_watchdog(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_slot interval;
  v_now timestamptz;
  v_latest timestamptz;
  v_quiet boolean;
  v_state public.watchdog_state;
  v_changed boolean := false;
begin
  perform _check_keys(payload, array['slot_seconds', 'now']);
  if jsonb_typeof(payload -> 'slot_seconds') is distinct from 'number'
     or (payload ->> 'slot_seconds')::numeric < 1
     or (payload ->> 'slot_seconds')::numeric > 31622400 then
    perform _raise_invalid('slot_seconds', 'must be a number of seconds between 1 and 31622400');
  end if;
  v_slot := make_interval(secs => (payload ->> 'slot_seconds')::double precision);
  begin
    v_now := coalesce((payload ->> 'now')::timestamptz, now());
  exception when others then
    perform _raise_invalid('now', 'must be an ISO 8601 timestamp with a time zone');
  end;
  select max(h.ran_at) into v_latest from public.heartbeat_log h;
  -- No run yet is "not started", not "gone quiet": there is nothing to watch.
  v_quiet := v_latest is not null and v_now - v_latest > 2 * v_slot;
  select * into v_state from public.watchdog_state w where w.id for update;
  if v_quiet and not v_state.quiet then
    update public.watchdog_state set quiet = true, changed_at = v_now, latest_ran_at = v_latest
    where id;
    perform public._notify('heartbeat_quiet', null, null, v_now, jsonb_build_object(
      'summary', 'The heartbeat itself has gone quiet.', 'latest_ran_at', v_latest));
    v_changed := true;
  elsif not v_quiet and v_state.quiet then
    update public.watchdog_state set quiet = false, changed_at = v_now, latest_ran_at = v_latest
    where id;
    perform public._notify('heartbeat_resumed', null, null, v_now, jsonb_build_object(
      'summary', 'The heartbeat is back.', 'latest_ran_at', v_latest));
    v_changed := true;
  end if;
  return jsonb_build_object('quiet', v_quiet, 'latest_ran_at', v_latest, 'changed', v_changed);
end
$$;

-- Channels. A URL and a secret go in and never come back out of the API: only the service role
-- reads those columns, and the functions answer with the id, kind and label.
create function public.add_channel(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_kind text;
  v_url text;
  v_secret text;
  v_label text;
  v_host text;
  v_row public.notification_channels;
begin
  perform _check_keys(payload, array['kind', 'url', 'secret', 'label']);
  v_kind := _require(_text_field(payload, 'kind', true, 20), 'kind');
  if v_kind not in ('slack', 'webhook') then
    perform _raise_invalid('kind', 'must be slack or webhook');
  end if;
  v_url := _require(_text_field(payload, 'url', true, 2000), 'url');
  if v_url ~ '[[:cntrl:][:space:]]' then
    perform _raise_invalid('url', 'must not contain spaces or control characters');
  end if;
  v_host := substring(v_url from '^[hH][tT][tT][pP][sS]?://(?:[^@/?#]*@)?([^/?#:]+|\[[^]]+\])');
  if v_host is null or v_host = '' then
    perform _raise_invalid('url', 'must be an http:// or https:// URL with a host');
  end if;
  v_secret := _text_field(payload, 'secret', true, 200);
  if v_kind = 'webhook' then
    v_secret := _require(v_secret, 'secret');
    if v_secret !~ '^whsec_[A-Za-z0-9+/]+={0,2}$' then
      perform _raise_invalid('secret', 'must be whsec_ followed by base64');
    end if;
    begin
      if length(decode(substring(v_secret from 7), 'base64')) < 16 then
        perform _raise_invalid('secret', 'must hold at least 16 bytes (24 base64 characters)');
      end if;
    exception when invalid_parameter_value then
      perform _raise_invalid('secret', 'must be whsec_ followed by base64');
    end;
  elsif v_secret is not null then
    perform _raise_invalid('secret', 'only webhook channels are signed; a Slack URL is its own secret');
  end if;
  -- The label defaults to the host: enough to tell channels apart, never the secret path.
  v_label := coalesce(_text_field(payload, 'label', true, 120), v_kind || ' ' || lower(v_host));
  if v_label ~ '[[:cntrl:]]' then
    perform _raise_invalid('label', 'must not contain control characters');
  end if;
  insert into public.notification_channels (kind, label, url, secret)
  values (v_kind, left(v_label, 120), v_url, v_secret)
  returning * into v_row;
  return jsonb_build_object('id', v_row.id, 'kind', v_row.kind, 'label', v_row.label,
    'created_at', v_row.created_at);
end
$$;

create function public.remove_channel(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
begin
  perform _check_keys(payload, array['id']);
  if jsonb_typeof(payload -> 'id') is distinct from 'number'
     or (payload ->> 'id') !~ '^[0-9]{1,18}$' then
    perform _raise_invalid('id', 'must be a channel id (a whole number)');
  end if;
  delete from public.notification_channels c where c.id = (payload ->> 'id')::bigint
  returning c.id into v_id;
  if v_id is null then
    raise exception 'id: no channel %', payload ->> 'id' using errcode = 'P0002', detail = 'id';
  end if;
  return jsonb_build_object('id', v_id);
end
$$;

-- The sender claims due messages for a lease (a crashed sender's claim expires) and reports
-- each one back: delivered, or failed after its last attempt.
create function public.claim_notifications(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_limit integer;
  v_lease interval;
  v_claimed jsonb;
begin
  perform _check_keys(payload, array['limit', 'lease_seconds']);
  v_limit := coalesce((payload ->> 'limit')::integer, 100);
  v_lease := make_interval(secs => coalesce((payload ->> 'lease_seconds')::double precision, 300));
  if v_limit not between 1 and 1000 then
    perform _raise_invalid('limit', 'must be between 1 and 1000');
  end if;
  with due as (
    select o.id from public.notification_outbox o
    where o.status = 'pending' and (o.locked_until is null or o.locked_until < now())
    order by o.id
    limit v_limit
    for update skip locked
  ), claimed as (
    update public.notification_outbox o set locked_until = now() + v_lease
    from due where o.id = due.id
    returning o.*
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', c.id, 'message_id', c.message_id, 'attempts', c.attempts,
      'channel', jsonb_build_object('id', ch.id, 'kind', ch.kind, 'label', ch.label,
        'url', ch.url, 'secret', ch.secret),
      'event', jsonb_build_object('id', e.id, 'kind', e.kind, 'incident_id', e.incident_id,
        'occurred_at', e.occurred_at, 'body', e.body))
      order by c.id), '[]')
  into v_claimed
  from claimed c
  join public.notification_channels ch on ch.id = c.channel_id
  join public.notification_events e on e.id = c.event_id;
  return v_claimed;
end
$$;

create function public.finish_notification(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_id bigint;
  v_status text;
begin
  perform _check_keys(payload, array['id', 'delivered', 'attempts', 'error']);
  if jsonb_typeof(payload -> 'delivered') is distinct from 'boolean' then
    perform _raise_invalid('delivered', 'must be true or false');
  end if;
  if jsonb_typeof(payload -> 'attempts') is distinct from 'number'
     or (payload ->> 'attempts') !~ '^[0-9]{1,4}$' then
    perform _raise_invalid('attempts', 'must be a whole number of attempts');
  end if;
  v_status := case when (payload ->> 'delivered')::boolean then 'delivered' else 'failed' end;
  update public.notification_outbox o
  set status = v_status,
      attempts = o.attempts + (payload ->> 'attempts')::integer,
      last_error = left(coalesce(_text_field(payload, 'error', false, 100000), ''), 500),
      locked_until = null,
      finished_at = now()
  where o.id = (payload ->> 'id')::bigint and o.status = 'pending'
  returning o.id into v_id;
  if v_id is null then
    raise exception 'id: no pending message %', payload ->> 'id' using errcode = 'P0002', detail = 'id';
  end if;
  return jsonb_build_object('id', v_id, 'status', v_status);
end
$$;

-- A failed message back to pending (after fixing a channel): `worksinprod notify send --retry-failed`.
create function public.retry_failed_notifications(payload jsonb)
returns jsonb
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_count integer;
begin
  perform _check_keys(payload, array[]::text[]);
  update public.notification_outbox o set status = 'pending', finished_at = null
  where o.status = 'failed';
  get diagnostics v_count = row_count;
  return jsonb_build_object('requeued', v_count);
end
$$;

-- Read models: incidents with their root and tools named; the outbox without any secret.
create view public.incidents_named with (security_invoker = true) as
select
  i.id,
  r.slug as root,
  r.name as root_name,
  r.owner as root_owner,
  i.severity,
  i.opened_at,
  i.resolved_at,
  i.resolved_at is null as open,
  i.summary,
  coalesce((
    select jsonb_agg(jsonb_build_object('slug', t.slug, 'name', t.name, 'owner', t.owner,
        'active', m.left_at is null) order by t.name)
    from public.incident_tools m join public.tools t on t.id = m.tool_id
    where m.incident_id = i.id and m.tool_id <> i.tool_id), '[]'::jsonb) as downstream
from public.incidents i
join public.tools r on r.id = i.tool_id;

create view public.incident_memberships with (security_invoker = true) as
select m.incident_id, t.slug, m.tool_id = i.tool_id as is_root, m.joined_at, m.left_at,
  i.resolved_at is null as incident_open
from public.incident_tools m
join public.incidents i on i.id = m.incident_id
join public.tools t on t.id = m.tool_id;

-- What each run decided, for the Ops Feed: one line per incident opened or resolved.
create view public.incident_events with (security_invoker = true) as
select e.id, e.run_id, e.kind, e.incident_id, e.occurred_at, e.body ->> 'summary' as summary,
  e.body #>> '{root,slug}' as root
from public.notification_events e
where e.kind in ('incident_opened', 'incident_resolved');

create view public.notifications with (security_invoker = true) as
select o.id, o.message_id, e.kind as event, e.incident_id, e.run_id, e.occurred_at,
  c.kind as channel_kind, c.label as channel, o.status, o.attempts, o.last_error,
  o.created_at, o.finished_at
from public.notification_outbox o
join public.notification_events e on e.id = o.event_id
join public.notification_channels c on c.id = o.channel_id;

-- Who may do what: everyone reads incidents and the outbox's state; only the service role
-- reads a channel's url and secret, and only it writes.
revoke all on public.incident_guards, public.tool_alert_state, public.incidents,
  public.incident_tools, public.notification_channels, public.notification_events,
  public.notification_outbox, public.watchdog_state from public, anon, authenticated;
grant select on public.incident_guards, public.tool_alert_state, public.incidents,
  public.incident_tools, public.notification_events, public.notification_outbox,
  public.watchdog_state to anon, authenticated;
grant select (id, kind, label, created_at) on public.notification_channels to anon, authenticated;
grant select, insert, update, delete on public.incident_guards, public.tool_alert_state,
  public.incidents, public.incident_tools, public.notification_channels,
  public.notification_events, public.notification_outbox, public.watchdog_state to service_role;

revoke all on public.incidents_named, public.incident_memberships, public.incident_events,
  public.notifications from public, anon, authenticated;
grant select on public.incidents_named, public.incident_memberships, public.incident_events,
  public.notifications to anon, authenticated, service_role;

revoke execute on function
  public._status_class(text), public._incident_summary(bigint), public._incident_body(bigint),
  public._notify(text, bigint, bigint, timestamptz, jsonb),
  public._apply_incidents(bigint, timestamptz), public._watchdog_heard(bigint, timestamptz),
  public._after_heartbeat(bigint, timestamptz), public.check_watchdog(jsonb),
  public.add_channel(jsonb), public.remove_channel(jsonb), public.claim_notifications(jsonb),
  public.finish_notification(jsonb), public.retry_failed_notifications(jsonb)
  from public, anon, authenticated;
grant execute on function
  public._status_class(text), public._incident_summary(bigint), public._incident_body(bigint),
  public._notify(text, bigint, bigint, timestamptz, jsonb),
  public._apply_incidents(bigint, timestamptz), public._watchdog_heard(bigint, timestamptz),
  public._after_heartbeat(bigint, timestamptz), public.check_watchdog(jsonb),
  public.add_channel(jsonb), public.remove_channel(jsonb), public.claim_notifications(jsonb),
  public.finish_notification(jsonb), public.retry_failed_notifications(jsonb)
  to service_role;

alter table public.incident_guards enable row level security;
alter table public.tool_alert_state enable row level security;
alter table public.incidents enable row level security;
alter table public.incident_tools enable row level security;
alter table public.notification_channels enable row level security;
alter table public.notification_events enable row level security;
alter table public.notification_outbox enable row level security;
alter table public.watchdog_state enable row level security;

create policy "readable by everyone" on public.incident_guards
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.tool_alert_state
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.incidents
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.incident_tools
  for select to anon, authenticated using (true);
create policy "id, kind and label readable by everyone" on public.notification_channels
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.notification_events
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.notification_outbox
  for select to anon, authenticated using (true);
create policy "readable by everyone" on public.watchdog_state
  for select to anon, authenticated using (true);

create policy "written by the service role" on public.incident_guards
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.tool_alert_state
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.incidents
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.incident_tools
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.notification_channels
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.notification_events
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.notification_outbox
  for all to service_role using (true) with check (true);
create policy "written by the service role" on public.watchdog_state
  for all to service_role using (true) with check (true);

-- record_heartbeat calls public._after_heartbeat once a run is stored; its one body is in
-- 20261126135900_record_heartbeat_hardening.sql, which holds every change to it since 20261125120400.

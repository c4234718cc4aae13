-- Issue 11, backfill speed: the same checks and the same incident decisions, cheaper per run.
-- A profile of a 168-hour backfill at 1,000 tools spent 4 s validating payloads (1.3 million
-- calls of _json_number: a SQL function with its own search_path is never inlined) and 8 s in
-- _apply_incidents (half of it re-writing every open incident's summary, one function call and
-- two queries per incident, every run, though it rarely changes; 0.5 million _status_class calls).

-- As 20261126100000_hardening.sql: the first bad metric, in array order, names its field with
-- the same message. Now one CASE per metric, with the number tests written out, instead of a
-- union of three lateral queries calling _json_number per value. Within a metric the order is
-- as before: not an object, tool_id, then health, latency_ms, uptime_pct, data_quality (the
-- order jsonb_each gave: shorter keys first).
create or replace function public._check_metrics(metrics jsonb)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_field text;
begin
  select f.field into v_field
  from jsonb_array_elements(metrics) with ordinality as e(m, n)
  cross join lateral (
    select case
      when jsonb_typeof(e.m) <> 'object' then 'metrics'
      when case when jsonb_typeof(e.m -> 'tool_id') is distinct from 'number' then true
        else (e.m -> 'tool_id')::numeric not between 1 and 9223372036854775807
          or (e.m -> 'tool_id')::numeric <> trunc((e.m -> 'tool_id')::numeric) end
        then 'tool_id'
      when case when coalesce(e.m -> 'health', 'null') = 'null' then false
        when jsonb_typeof(e.m -> 'health') <> 'number' then true
        else abs((e.m -> 'health')::numeric) > 1e30 end then 'health'
      when case when coalesce(e.m -> 'latency_ms', 'null') = 'null' then false
        when jsonb_typeof(e.m -> 'latency_ms') <> 'number' then true
        else abs((e.m -> 'latency_ms')::numeric) > 1e30 end then 'latency_ms'
      when case when coalesce(e.m -> 'uptime_pct', 'null') = 'null' then false
        when jsonb_typeof(e.m -> 'uptime_pct') <> 'number' then true
        else abs((e.m -> 'uptime_pct')::numeric) > 1e30 end then 'uptime_pct'
      when case when coalesce(e.m -> 'data_quality', 'null') = 'null' then false
        when jsonb_typeof(e.m -> 'data_quality') <> 'number' then true
        else abs((e.m -> 'data_quality')::numeric) > 1e30 end then 'data_quality'
    end as field
  ) as f
  where f.field is not null
  order by e.n
  limit 1;
  if v_field is not null then
    raise exception 'metrics: % %', v_field, case v_field
        when 'metrics' then 'each metric must be a JSON object'
        when 'tool_id' then 'must be a whole number from 1 to 9223372036854775807'
        else 'must be a number (or null)'
      end
      using errcode = '22023', detail = v_field;
  end if;
end
$$;

-- As 20261126130000_incidents.sql, deciding the same: the status classes of _status_class are
-- written out (healthy: ok, maintenance: maintenance, anything else: failing); severity and
-- summary are written only where they change (no trigger reads incidents' updates), and the
-- summaries are computed in one query, as _incident_summary words them (which stays for callers);
-- the events and outbox rows _notify wrote one by one are written in one statement; and each
-- statement is planned for the tables as they are (a backfill grows them from empty in seconds,
-- and plans cached while they were empty seq-scanned incident_tools once per tool in alarm).
create or replace function public._apply_incidents(p_run bigint, p_ran_at timestamptz)
returns void
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_alarm bigint[];
  v_resolved bigint[];
  v_opened bigint[];
  v_tools bigint[];
  v_roots bigint[];
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
          when (case excluded.status when 'healthy' then 'ok'
                  when 'maintenance' then 'maintenance' else 'failing' end)
             = (case s.status when 'healthy' then 'ok'
                  when 'maintenance' then 'maintenance' else 'failing' end)
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
    where (s.status not in ('healthy', 'maintenance') and s.streak >= coalesce(g.open_after, 2))
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
  update public.incidents i set severity = 'down'
  where i.resolved_at is null and i.severity <> 'down' and exists (
    select 1 from public.incident_tools m join public.tool_alert_state s using (tool_id)
    where m.incident_id = i.id and m.left_at is null and s.status = 'down');
  with target as (
    select i.id, i.tool_id, i.severity, i.summary
    from public.incidents i
    where i.resolved_at is null or i.id = any (v_resolved)
  ), downstream as (
    select m.incident_id, array_agg(t.name order by t.name) as names
    from target x
    join public.incident_tools m on m.incident_id = x.id and m.tool_id <> x.tool_id
    join public.tools t on t.id = m.tool_id
    group by m.incident_id
  ), worded as (
    select x.id, x.summary, format('%s is %s.', r.name, x.severity)
      || case
        when d.names is null then ''
        when cardinality(d.names) = 1 then format(' %s is downstream.', d.names[1])
        when cardinality(d.names) <= 8 then format(' %s and %s are downstream.',
          array_to_string(d.names[1:cardinality(d.names) - 1], ', '), d.names[cardinality(d.names)])
        else format(' %s and %s more are downstream.', array_to_string(d.names[1:6], ', '),
          cardinality(d.names) - 6)
      end
      || format(' %s has been told.', r.owner) as text
    from target x
    join public.tools r on r.id = x.tool_id
    left join downstream d on d.incident_id = x.id
  )
  update public.incidents i set summary = w.text
  from worded w
  where i.id = w.id and i.summary is distinct from w.text;

  -- One message per incident opened or resolved; never per run or per downstream tool. As
  -- _notify writes them one by one (the resolved first, then the opened, each in array order),
  -- in one statement: the events, then one outbox row per channel unless the run is a backfill.
  with events as (
    insert into public.notification_events (kind, incident_id, run_id, occurred_at, body)
    -- The body as _incident_body builds it (which stays for callers), here for all at once.
    select e.kind, e.id, p_run, p_ran_at, jsonb_build_object(
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
    from (
      select 'incident_resolved' as kind, r.id, r.n
      from unnest(v_resolved) with ordinality as r (id, n)
      union all
      select 'incident_opened', o.id, cardinality(v_resolved) + o.n
      from unnest(v_opened) with ordinality as o (id, n)
    ) as e
    join public.incidents i on i.id = e.id
    join public.tools r on r.id = i.tool_id
    order by e.n
    returning id
  )
  insert into public.notification_outbox (event_id, channel_id)
  select ev.id, c.id
  from events ev
  cross join public.notification_channels c
  where not exists (select 1 from public.heartbeat_log h where h.id = p_run and h.source = 'backfill')
  order by ev.id, c.id;
end
$$;

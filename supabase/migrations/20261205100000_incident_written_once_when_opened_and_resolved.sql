-- Issue 11, dead space and the backfill's 2x (eleventh pass): an incident's row is written once
-- when it opens and once when it resolves, where each took two writes.
--
-- Why: _apply_incidents (20261204100200) inserted an incident with an empty summary and worded
-- it by an update at the end of the same run; it resolved an incident by one update (the
-- instant) and worded the resolution by a second. Each write of a row leaves its old version
-- dead: a 168-hour backfill at 1,000 tools made 8,358 updates of incidents for 1,816 rows.
-- Now:
-- - an incident opens with its words and with 'down' when its root is down (the escalation
--   and the rewording at the end of the run would make them so);
-- - the update that resolves an incident words it: _incident_resolution(id, at) words a
--   resolution at a given instant (the statement's own row is not yet resolved when it runs);
--   _incident_resolution(id) words a stored one through it;
-- - the rewording at the end of a run looks at open incidents only;
-- - a late run leaves alone an incident a newer run saw alive: it resolved one opened after
--   it (refused, 23514, stopping a backfill) or ended a membership before it began; and the
--   incidents one run opens or resolves are numbered and announced in their roots' and their
--   openings' order.
-- The words, severities and messages are otherwise those of 20261204100200
-- (tests/test_incidents.py; a review compared the two on 500 random sequences of runs).

create function public._incident_resolution(p_incident bigint, p_resolved_at timestamptz)
returns text
language sql
stable
set search_path = ''
as $$
  select format('%s is back after %s h; it was %s at worst.%s',
    r.name, round(extract(epoch from p_resolved_at - i.opened_at) / 3600.0, 1), i.severity,
    case when exists (
      select 1 from public.incident_tools m
      join public.tool_alert_state s using (tool_id)
      where m.incident_id = i.id and m.tool_id <> i.tool_id
        and s.status in ('degraded', 'down'))
      then ' Some of the downstream is still failing.'
      else ' The downstream can stand down.' end)
  from public.incidents i join public.tools r on r.id = i.tool_id
  where i.id = p_incident
$$;

-- As 20261204100200 defines it, now through the function above.
create or replace function public._incident_resolution(p_incident bigint)
returns text
language sql
stable
set search_path = ''
as $$
  select public._incident_resolution(i.id, i.resolved_at)
  from public.incidents i
  where i.id = p_incident and i.resolved_at is not null
$$;

revoke execute on function public._incident_resolution(bigint, timestamptz)
  from public, anon, authenticated;
grant execute on function public._incident_resolution(bigint, timestamptz) to service_role;

-- _apply_incidents as 20261204100200 defines it, with the changes marked 20261205100000.
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
  v_late boolean;  -- issue 11: a run older than another run
  v_younger bigint[];  -- 20261205100000: incidents a newer run saw alive
begin
  -- Runs are applied one at a time: each decision reads what the previous run decided.
  perform pg_advisory_xact_lock(hashtext('worksinprod.incidents'));

  -- Streaks: how many runs in a row each tool of this run held its class of status. An older
  -- run recorded late (a backfill) does not move a streak backwards.
  -- Changed (issue 11): written only where something the decisions read changes; the streak
  -- stops at 48, the most a guard's open_after or resolve_after can be; a run older than
  -- another run that saw the tool is ignored for it (see the top of this file).
  v_late := exists (select 1 from public.heartbeat_log h
                    where h.ran_at >= p_ran_at and h.id <> p_run);
  update public.tool_alert_state s
  set streak = case
        when (case m.status when 'healthy' then 'ok'
                when 'maintenance' then 'maintenance' else 'failing' end)
           = (case s.status when 'healthy' then 'ok'
                when 'maintenance' then 'maintenance' else 'failing' end)
        then least(s.streak + 1, 48) else 1 end,
      status = m.status,
      observed_at = m.recorded_at
  from public.metrics m
  where m.recorded_at = p_ran_at
    and s.tool_id = m.tool_id
    and s.observed_at < m.recorded_at
    -- the same status (so the same class) with a streak already at 48 changes nothing
    and (s.status <> m.status or s.streak < 48)
    and not (v_late and exists (
      select 1
      from public.heartbeat_log h
      join public.metrics seen on seen.tool_id = s.tool_id and seen.recorded_at = h.ran_at
      where h.ran_at > p_ran_at and h.id <> p_run));
  insert into public.tool_alert_state (tool_id, status, streak, observed_at)
  select m.tool_id, m.status, 1, m.recorded_at
  from public.metrics m
  where m.recorded_at = p_ran_at
    and not exists (select 1 from public.tool_alert_state s where s.tool_id = m.tool_id);

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
  -- Changed (20261205100000): a late run leaves alone every incident a newer run saw alive
  -- (one with a member that joined after this run's instant, its root included from its
  -- opening). A late run whose tool no newer run saw found it recovered, and resolved an
  -- incident opened after it, before its opening, which incidents_resolved_after_opened
  -- refuses: the whole run failed and a backfill stopped at that hour; or it resolved one a
  -- newer run had added a member to, and ended that membership before it began (both found by
  -- review). A newer run decides those.
  v_younger := case when v_late then array(
      select distinct m.incident_id from public.incident_tools m where m.joined_at > p_ran_at)
    else '{}' end;
  update public.incident_tools m set left_at = p_ran_at
  where m.left_at is null and not (m.tool_id = any (v_alarm))
    and not (m.incident_id = any (v_younger));
  -- Changed (20261205100000): the update that resolves an incident words it; the resolved in
  -- the order they opened (the update returned them in the order they lay on disk, which the
  -- number of writes of each row decides), so their messages come in that order too.
  with resolved as (
    update public.incidents i
    set resolved_at = p_ran_at, summary = public._incident_resolution(i.id, p_ran_at)
    where i.resolved_at is null and not (i.tool_id = any (v_alarm))
      and not (i.id = any (v_younger))
    returning i.id
  )
  select coalesce(array_agg(id order by id), '{}') into v_resolved from resolved;
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

  -- Changed (20261205100000): an incident opens with its words, and 'down' where its root is
  -- down, as the escalation and the rewording below would make them in this run: its row is
  -- written once. A root opens only while failing (degraded or down) and with no downstream
  -- yet, so its words are the rewording's first case: its status, which is its severity. In
  -- the roots' order (by id; before, the order of the plan's anti-join, a hash's at times).
  with opened as (
    insert into public.incidents (tool_id, severity, opened_at, summary)
    select r.tool_id, o.severity, p_ran_at,
      format('%s is %s. %s has been told.', t.name, o.severity, t.owner)
    from unnest(v_tools, v_roots) as r (tool_id, root_id)
    join public.tools t on t.id = r.tool_id
    left join public.tool_alert_state s on s.tool_id = r.tool_id
    cross join lateral (
      select case when s.status = 'down' then 'down' else 'degraded' end as severity) o
    where r.root_id = r.tool_id
      and not exists (select 1 from public.incident_tools m
                      where m.tool_id = r.tool_id and m.left_at is null)
    order by r.tool_id
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
  -- Changed (issue 11): the same statement, planned on every run by EXECUTE (a constant
  -- string, nothing spliced): a plan kept from a session's first run, made while incidents was
  -- empty, read every open membership once per open incident (see the top of this file).
  execute $escalate$
    update public.incidents i set severity = 'down'
    where i.resolved_at is null and i.severity <> 'down' and exists (
      select 1 from public.incident_tools m join public.tool_alert_state s using (tool_id)
      where m.incident_id = i.id and m.left_at is null and s.status = 'down')
  $escalate$;
  -- Changed (20261205100000): open incidents only (a resolved one was worded as it resolved);
  -- by EXECUTE as the escalation above, since the
  -- statement no longer takes a variable and its plan would otherwise be kept from a session's
  -- first run (tests/test_incident_severity_plan.py: 272,100 rows read at 300 tools).
  execute $reword$
  with target as (
    select i.id, i.tool_id, i.severity, i.summary
    from public.incidents i
    where i.resolved_at is null
  ), downstream as (
    select m.incident_id, array_agg(t.name order by t.name) as names
    from target x
    join public.incident_tools m on m.incident_id = x.id and m.tool_id <> x.tool_id
    join public.tools t on t.id = m.tool_id
    group by m.incident_id
  ), worded as materialized (
    -- Materialised (20261204100200), so each row is worded once: pulled up into the update,
    -- its text was computed for the SET and again for the WHERE. The root as it is, where
    -- that is not the incident's severity.
    select x.id, case
        when rs.status is null or rs.status = x.severity
          then format('%s is %s.', r.name, x.severity)
        else format('%s %s; the incident is %s at worst.', r.name, case rs.status
            when 'healthy' then 'is healthy again'
            when 'maintenance' then 'is in maintenance'
            else 'is ' || rs.status
          end, x.severity)
      end
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
    left join public.tool_alert_state rs on rs.tool_id = x.tool_id
    left join downstream d on d.incident_id = x.id
  )
  update public.incidents i set summary = w.text
  from worded w
  where i.id = w.id and i.summary is distinct from w.text
  $reword$;

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
      -- Changed: a resolved incident's summary is now its resolution's message (above).
      'summary', i.summary,
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


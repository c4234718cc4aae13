-- Read models. security_invoker makes every view obey the reader's own privileges and RLS.

-- A tool's current values are its latest metric: deriving them keeps a heartbeat to one insert
-- (no update of every tool row), and the (tool_id, recorded_at) key finds each in one probe.
create view public.tools_current with (security_invoker = true) as
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
  t.updated_at
from public.tools t
left join lateral (
  select lm.status, lm.health, lm.latency_ms, lm.uptime_pct, lm.data_quality, lm.recorded_at
  from public.metrics lm
  where lm.tool_id = t.id
  order by lm.recorded_at desc
  limit 1
) m on true;

-- Integrations with both ends named, so readers never join by id themselves.
create view public.integrations_named with (security_invoker = true) as
select
  i.id,
  s.slug as source,
  s.name as source_name,
  d.slug as target,
  d.name as target_name,
  i.flow,
  i.created_at
from public.tool_integrations i
join public.tools s on s.id = i.source_id
join public.tools d on d.id = i.target_id;

-- Per tool per UTC day over the retention window: the trend the charts draw.
create view public.tool_health_trends with (security_invoker = true) as
select
  m.tool_id,
  t.slug,
  (m.recorded_at at time zone 'UTC')::date as day,
  avg(m.health)::real as avg_health,
  avg(m.latency_ms)::real as avg_latency_ms,
  (percentile_cont(0.95) within group (order by m.latency_ms))::real as p95_latency_ms,
  avg(m.uptime_pct)::real as avg_uptime_pct,
  avg(m.data_quality)::real as avg_data_quality,
  count(*)::integer as samples
from public.metrics m
join public.tools t on t.id = m.tool_id
where m.recorded_at >= now() - coalesce(
  (select g.retention from public.governance_settings g where g.id), interval '7 days')
group by m.tool_id, t.slug, (m.recorded_at at time zone 'UTC')::date;

-- The last 24 hours of each tool, oldest first: one row per tool for the sparklines.
create view public.tool_sparklines with (security_invoker = true) as
select
  t.id as tool_id,
  t.slug,
  coalesce(array_agg(m.health order by m.recorded_at) filter (where m.id is not null), '{}')
    as health,
  coalesce(array_agg(m.latency_ms order by m.recorded_at) filter (where m.id is not null), '{}')
    as latency_ms
from public.tools t
left join public.metrics m
  on m.tool_id = t.id and m.recorded_at > now() - interval '24 hours'
group by t.id, t.slug;

-- Moments a tool's status changed, for a tool's history.
create view public.tool_status_changes with (security_invoker = true) as
select c.tool_id, t.slug, c.recorded_at, c.previous_status, c.status
from (
  select
    m.tool_id,
    m.recorded_at,
    m.status,
    lag(m.status) over (partition by m.tool_id order by m.recorded_at) as previous_status
  from public.metrics m
) c
join public.tools t on t.id = c.tool_id
where c.previous_status is not null and c.previous_status <> c.status;

-- The latest heartbeat runs, newest first.
create view public.heartbeat_recent with (security_invoker = true) as
select
  h.id,
  h.run_key,
  h.ran_at,
  h.source,
  h.tools_checked,
  h.healthy_count,
  h.degraded_count,
  h.down_count,
  h.duration_ms,
  h.message,
  h.recorded_at
from public.heartbeat_log h
order by h.ran_at desc, h.id desc
limit 200;

-- Each tool's latest metric row, kept as it changes (issue 11, the cold pages).
--
-- tools_current found each tool's latest row at read time: the newest instant (a max over the
-- rows at or after the newest run), a join on it, and an anti-join for the tools missing from it,
-- each pass rechecking every row of the newest day. At 5,000 tools x 7 days that was 10-13 ms
-- of every cold /stack, /api/tools and /map, once per heartbeat or edit. The latest row changes
-- only when metrics are written, so it is now kept where it is written:
--
-- * public.tool_latest_metrics holds, per tool, a copy of its latest row in metrics (the row
--   tools_current showed: the greatest recorded_at; a tool without rows has none).
-- * Statement triggers on metrics keep it: an insert raises a tool's row to the statement's
--   newest row when that is later; an update or a delete recomputes the tools it touched from
--   metrics (through the (tool_id) index of each day); a truncate empties it. Dropping a day's
--   partition fires no trigger, so _drop_metric_partitions removes the copies of rows it
--   dropped (a latest row in a dropped day means the tool has no row left: its older rows were
--   in older days, dropped first).
-- * tools_current and tool_statuses read it: the same rows, columns, order and types
--   (tests/test_tool_latest_metrics.py compares them with the per-tool form after random
--   writes, updates, deletes, purges, partition drops, truncates and tool deletions).
--
-- The triggers run as the table's owner (security definer): whoever may write metrics keeps its
-- copy, and no role writes the copy directly. Readers see it as they see metrics (everyone).
-- Trigger names order their firing: these sort before metrics_purge_old, so a row the purge
-- deletes in the same statement has been copied first and is then removed by the delete's own
-- trigger.

create table public.tool_latest_metrics (
  tool_id bigint primary key references public.tools (id) on delete cascade,
  recorded_at timestamptz not null,
  health real not null,
  latency_ms real not null,
  uptime_pct real not null,
  data_quality real not null,
  status text not null
) with (fillfactor = 50);
-- fillfactor: every heartbeat updates every row; the free half of each page takes the new
-- versions in place (heap-only tuples), so the primary key is not rewritten each run.

comment on table public.tool_latest_metrics is
  'Each tool''s latest row in metrics, kept by triggers on metrics (read by tools_current).';

revoke all on public.tool_latest_metrics from public, anon, authenticated, service_role;
grant select on public.tool_latest_metrics to anon, authenticated, service_role;
alter table public.tool_latest_metrics enable row level security;
create policy "readable by everyone" on public.tool_latest_metrics
  for select to anon, authenticated, service_role using (true);

-- Recompute the copies of these tools from metrics.
create function public._refresh_tool_latest_metrics(p_tool_ids bigint[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.tool_latest_metrics l where l.tool_id = any (p_tool_ids);
  insert into public.tool_latest_metrics
    (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status)
  select p.tool_id, p.recorded_at, p.health, p.latency_ms, p.uptime_pct, p.data_quality, p.status
  from (select distinct u.id from unnest(p_tool_ids) as u(id)) as t
  cross join lateral (
    select m.tool_id, m.recorded_at, m.health, m.latency_ms, m.uptime_pct, m.data_quality,
      m.status
    from public.metrics m
    where m.tool_id = t.id
    order by m.recorded_at desc
    limit 1
  ) p;
end
$$;

create function public._tool_latest_metrics_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.tool_latest_metrics as l
    (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status)
  select distinct on (i.tool_id)
    i.tool_id, i.recorded_at, i.health, i.latency_ms, i.uptime_pct, i.data_quality, i.status
  from inserted i
  order by i.tool_id, i.recorded_at desc
  on conflict (tool_id) do update
  set recorded_at = excluded.recorded_at,
      health = excluded.health,
      latency_ms = excluded.latency_ms,
      uptime_pct = excluded.uptime_pct,
      data_quality = excluded.data_quality,
      status = excluded.status
  -- a backfill's older hour leaves a later copy as it is
  where l.recorded_at < excluded.recorded_at;
  return null;
end
$$;

-- The update and delete triggers decide from the copy and rewrite it, so they first take the
-- governance row's lock, which every other writer of metrics takes (ensure_metric_partitions,
-- the one-per-tool-and-instant check, the rollups): under READ COMMITTED their next statements
-- then see every other writer's committed copy. Without it two refreshes of one tool collided
-- (the second's delete found the row gone, its insert the other's: unique_violation), and a
-- delete of the row another transaction had just made the copy left the copy on a deleted row
-- (found by review; tests/test_tool_latest_metrics_races.py). Under REPEATABLE READ the
-- snapshot cannot move, so the copies touched are locked too: a concurrent change then fails
-- with a serialization error instead of being lost. A statement that changed no row takes no
-- lock.
create function public._tool_latest_metrics_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  -- any of the tools on either side (a maintenance window's status, a row moved by hand)
  v_tools bigint[] := array(
    select o.tool_id from old_rows o union select n.tool_id from new_rows n);
begin
  if cardinality(v_tools) = 0 then
    return null;
  end if;
  perform 1 from public.governance_settings g where g.id for update;
  if current_setting('transaction_isolation') <> 'read committed' then
    perform 1 from public.tool_latest_metrics l where l.tool_id = any (v_tools)
    order by l.tool_id for update;
  end if;
  perform public._refresh_tool_latest_metrics(v_tools);
  return null;
end
$$;

create function public._tool_latest_metrics_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from deleted) then
    return null;
  end if;
  perform 1 from public.governance_settings g where g.id for update;
  if current_setting('transaction_isolation') <> 'read committed' then
    perform 1 from public.tool_latest_metrics l
    where l.tool_id in (select d.tool_id from deleted d) order by l.tool_id for update;
  end if;
  -- Only the tools whose copied row went: the purge deletes an hour of old rows every run,
  -- none of them anyone's latest.
  perform public._refresh_tool_latest_metrics(array(
    select distinct d.tool_id
    from deleted d
    join public.tool_latest_metrics l on l.tool_id = d.tool_id and l.recorded_at = d.recorded_at));
  return null;
end
$$;

create function public._tool_latest_metrics_truncated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.tool_latest_metrics;
  return null;
end
$$;

revoke execute on function public._refresh_tool_latest_metrics(bigint[]),
  public._tool_latest_metrics_inserted(),
  public._tool_latest_metrics_updated(),
  public._tool_latest_metrics_deleted(),
  public._tool_latest_metrics_truncated()
  from public, anon, authenticated;

-- As 20261127100000, and the copies of the rows of the dropped days go with them.
create or replace function public._drop_metric_partitions(cutoff timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text;
  v_until timestamptz;
  v_dropped integer := 0;
  v_bound timestamptz := '-infinity';
begin
  for v_name, v_until in
    select c.relname, (to_date(substr(c.relname, 9), 'YYYYMMDD') + 1)::timestamp at time zone 'UTC'
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where i.inhparent = 'public.metrics'::regclass
      and n.nspname = 'metric_partitions'
      and c.relname ~ '^metrics_[0-9]{8}$'
      and (to_date(substr(c.relname, 9), 'YYYYMMDD') + 1)::timestamp at time zone 'UTC' <= cutoff
    order by c.relname
  loop
    execute format('drop table metric_partitions.%I', v_name);
    v_dropped := v_dropped + 1;
    v_bound := greatest(v_bound, v_until);
  end loop;
  if v_dropped > 0 then
    delete from public.tool_latest_metrics l where l.recorded_at < v_bound;
  end if;
  return v_dropped;
end
$$;

-- No writer may slip between the copy and the triggers.
lock table public.metrics in share row exclusive mode;

select public._refresh_tool_latest_metrics(array(select t.id from public.tools t));

create trigger metrics_latest_inserted
after insert on public.metrics
referencing new table as inserted
for each statement
execute function public._tool_latest_metrics_inserted();

create trigger metrics_latest_updated
after update on public.metrics
referencing old table as old_rows new table as new_rows
for each statement
execute function public._tool_latest_metrics_updated();

create trigger metrics_latest_deleted
after delete on public.metrics
referencing old table as deleted
for each statement
execute function public._tool_latest_metrics_deleted();

create trigger metrics_latest_truncated
after truncate on public.metrics
for each statement
execute function public._tool_latest_metrics_truncated();

-- The same columns, order and types as 20261128400200; the grants stay with the view.
create or replace view public.tools_current with (security_invoker = true) as
select
  t.id,
  t.slug,
  t.name,
  t.category,
  t.vendor,
  t.owner,
  t.description,
  coalesce(l.status, 'unknown') as status,
  l.health,
  l.latency_ms,
  l.uptime_pct,
  l.data_quality,
  l.recorded_at as last_checked_at,
  t.created_at,
  t.updated_at,
  coalesce(c.kind, 'simulated') as check_kind
from public.tools t
left join public.tool_latest_metrics l on l.tool_id = t.id
left join public.tool_checks c on c.tool_id = t.id;

-- As 20261130400000: tools_current's status, without its numbers.
create or replace view public.tool_statuses with (security_invoker = true) as
select
  t.id,
  t.slug,
  t.name,
  t.category,
  t.owner,
  coalesce(l.status, 'unknown') as status
from public.tools t
left join public.tool_latest_metrics l on l.tool_id = t.id;

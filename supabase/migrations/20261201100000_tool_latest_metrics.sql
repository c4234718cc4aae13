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
  status text not null,
  -- The row's part of its tool's JSON document for GET /api/tools (tool_documents), from
  -- "status" to "last_checked_at", written as pydantic writes them (reals in their shortest
  -- form, UTC with a six-digit fraction); null where that cannot be written exactly (a
  -- non-finite real, a year outside 1-9999), and the client then writes the tool from its row.
  document text
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
-- The document part is written in place in both writers below (a function called per row is
-- not inlined once it sets its search_path, which the advisors require): the reals as text in
-- their shortest exact form (extra_float_digits > 0) and the time in UTC, whatever the
-- writer's session says, hence the two settings on each writer.
create function public._refresh_tool_latest_metrics(p_tool_ids bigint[])
returns void
language plpgsql
security definer
set search_path = ''
set extra_float_digits = 1
set timezone = 'UTC'
as $$
begin
  delete from public.tool_latest_metrics l where l.tool_id = any (p_tool_ids);
  insert into public.tool_latest_metrics
    (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status, document)
  select p.tool_id, p.recorded_at, p.health, p.latency_ms, p.uptime_pct, p.data_quality, p.status,
    ',"status":"' || p.status || '"'
    || ',"health":' || case
      when strpos(v.health, '.') > 0 and strpos(v.health, 'e') = 0 then v.health
      when v.health in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.health, 'e') = 0 then v.health || '.0'
      when split_part(v.health, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.health::numeric)::text, '.') > 0 then (v.health::numeric)::text
          else (v.health::numeric)::text || '.0' end
      else regexp_replace(v.health, 'e([+-])0*', 'e\1')
    end
    || ',"latency_ms":' || case
      when strpos(v.latency_ms, '.') > 0 and strpos(v.latency_ms, 'e') = 0 then v.latency_ms
      when v.latency_ms in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.latency_ms, 'e') = 0 then v.latency_ms || '.0'
      when split_part(v.latency_ms, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.latency_ms::numeric)::text, '.') > 0 then (v.latency_ms::numeric)::text
          else (v.latency_ms::numeric)::text || '.0' end
      else regexp_replace(v.latency_ms, 'e([+-])0*', 'e\1')
    end
    || ',"uptime_pct":' || case
      when strpos(v.uptime_pct, '.') > 0 and strpos(v.uptime_pct, 'e') = 0 then v.uptime_pct
      when v.uptime_pct in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.uptime_pct, 'e') = 0 then v.uptime_pct || '.0'
      when split_part(v.uptime_pct, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.uptime_pct::numeric)::text, '.') > 0 then (v.uptime_pct::numeric)::text
          else (v.uptime_pct::numeric)::text || '.0' end
      else regexp_replace(v.uptime_pct, 'e([+-])0*', 'e\1')
    end
    || ',"data_quality":' || case
      when strpos(v.data_quality, '.') > 0 and strpos(v.data_quality, 'e') = 0 then v.data_quality
      when v.data_quality in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.data_quality, 'e') = 0 then v.data_quality || '.0'
      when split_part(v.data_quality, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.data_quality::numeric)::text, '.') > 0 then (v.data_quality::numeric)::text
          else (v.data_quality::numeric)::text || '.0' end
      else regexp_replace(v.data_quality, 'e([+-])0*', 'e\1')
    end
    || ',"last_checked_at":' || case
      when p.recorded_at >= '0001-01-01 00:00:00+00' and p.recorded_at < '10000-01-01 00:00:00+00'
      then replace(to_char(p.recorded_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
  from (select distinct u.id from unnest(p_tool_ids) as u(id)) as t
  cross join lateral (
    select m.tool_id, m.recorded_at, m.health, m.latency_ms, m.uptime_pct, m.data_quality,
      m.status
    from public.metrics m
    where m.tool_id = t.id
    order by m.recorded_at desc
    limit 1
  ) p
  cross join lateral (
    select p.health::text as health, p.latency_ms::text as latency_ms,
      p.uptime_pct::text as uptime_pct, p.data_quality::text as data_quality
    offset 0
  ) v;
end
$$;

create function public._tool_latest_metrics_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
set extra_float_digits = 1
set timezone = 'UTC'
as $$
begin
  insert into public.tool_latest_metrics as l
    (tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality, status, document)
  select n.tool_id, n.recorded_at, n.health, n.latency_ms, n.uptime_pct, n.data_quality, n.status,
    ',"status":"' || n.status || '"'
    || ',"health":' || case
      when strpos(v.health, '.') > 0 and strpos(v.health, 'e') = 0 then v.health
      when v.health in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.health, 'e') = 0 then v.health || '.0'
      when split_part(v.health, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.health::numeric)::text, '.') > 0 then (v.health::numeric)::text
          else (v.health::numeric)::text || '.0' end
      else regexp_replace(v.health, 'e([+-])0*', 'e\1')
    end
    || ',"latency_ms":' || case
      when strpos(v.latency_ms, '.') > 0 and strpos(v.latency_ms, 'e') = 0 then v.latency_ms
      when v.latency_ms in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.latency_ms, 'e') = 0 then v.latency_ms || '.0'
      when split_part(v.latency_ms, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.latency_ms::numeric)::text, '.') > 0 then (v.latency_ms::numeric)::text
          else (v.latency_ms::numeric)::text || '.0' end
      else regexp_replace(v.latency_ms, 'e([+-])0*', 'e\1')
    end
    || ',"uptime_pct":' || case
      when strpos(v.uptime_pct, '.') > 0 and strpos(v.uptime_pct, 'e') = 0 then v.uptime_pct
      when v.uptime_pct in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.uptime_pct, 'e') = 0 then v.uptime_pct || '.0'
      when split_part(v.uptime_pct, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.uptime_pct::numeric)::text, '.') > 0 then (v.uptime_pct::numeric)::text
          else (v.uptime_pct::numeric)::text || '.0' end
      else regexp_replace(v.uptime_pct, 'e([+-])0*', 'e\1')
    end
    || ',"data_quality":' || case
      when strpos(v.data_quality, '.') > 0 and strpos(v.data_quality, 'e') = 0 then v.data_quality
      when v.data_quality in ('NaN', 'Infinity', '-Infinity') then null
      when strpos(v.data_quality, 'e') = 0 then v.data_quality || '.0'
      when split_part(v.data_quality, 'e', 2)::integer between -5 and 15 then
        case when strpos((v.data_quality::numeric)::text, '.') > 0 then (v.data_quality::numeric)::text
          else (v.data_quality::numeric)::text || '.0' end
      else regexp_replace(v.data_quality, 'e([+-])0*', 'e\1')
    end
    || ',"last_checked_at":' || case
      when n.recorded_at >= '0001-01-01 00:00:00+00' and n.recorded_at < '10000-01-01 00:00:00+00'
      then replace(to_char(n.recorded_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
  from (
    select distinct on (i.tool_id)
      i.tool_id, i.recorded_at, i.health, i.latency_ms, i.uptime_pct, i.data_quality, i.status
    from inserted i
    order by i.tool_id, i.recorded_at desc
  ) n
  cross join lateral (
    select n.health::text as health, n.latency_ms::text as latency_ms,
      n.uptime_pct::text as uptime_pct, n.data_quality::text as data_quality
    offset 0
  ) v
  on conflict (tool_id) do update
  set recorded_at = excluded.recorded_at,
      health = excluded.health,
      latency_ms = excluded.latency_ms,
      uptime_pct = excluded.uptime_pct,
      data_quality = excluded.data_quality,
      status = excluded.status,
      document = excluded.document
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

-- As 20261130500000 (the same columns, rows, order and bytes), with each tool's metric part
-- taken as its writer wrote it: writing four reals and a time for 5,000 tools was most of the
-- view's 25 ms. The session check stays: the rest of the document (the tool's own times) is
-- written in the reader's session, and a session that rounds reals or is not in UTC is still
-- written in Python (tools_document), as before.
create or replace view public.tool_documents with (security_invoker = true) as
select
  c.id,
  c.name,
  c.category,
  c.status,
  c.owner,
  case when (select current_setting('extra_float_digits')::integer > 0
    and current_setting('TimeZone') in ('UTC', 'Etc/UTC')) then
    '{"id":' || c.id::text
    || ',"slug":"' || c.slug || '"'
    || ',"name":' || to_json(c.name)::text
    || ',"category":' || to_json(c.category)::text
    || ',"vendor":' || to_json(c.vendor)::text
    || ',"owner":' || to_json(c.owner)::text
    || ',"description":' || to_json(c.description)::text
    || case when c.checked then c.metrics_document
      else ',"status":"unknown","health":null,"latency_ms":null,"uptime_pct":null,'
        || '"data_quality":null,"last_checked_at":null' end
    || ',"check_kind":"' || c.check_kind || '"'
    || ',"created_at":' || case
      when c.created_at >= '0001-01-01 00:00:00+00' and c.created_at < '10000-01-01 00:00:00+00'
      then replace(to_char(c.created_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
    || ',"updated_at":' || case
      when c.updated_at >= '0001-01-01 00:00:00+00' and c.updated_at < '10000-01-01 00:00:00+00'
      then replace(to_char(c.updated_at, '\"YYYY-MM-DD"T"HH24:MI:SS.US"Z\"'), '.000000Z', 'Z') end
    || '}'
  end as document
from (
  select
    t.id,
    t.slug,
    t.name,
    t.category,
    t.vendor,
    t.owner,
    t.description,
    coalesce(l.status, 'unknown') as status,
    l.tool_id is not null as checked,
    l.document as metrics_document,
    coalesce(k.kind, 'simulated') as check_kind,
    t.created_at,
    t.updated_at
  from public.tools t
  left join public.tool_latest_metrics l on l.tool_id = t.id
  left join public.tool_checks k on k.tool_id = t.id
  order by t.name, t.id
) c;

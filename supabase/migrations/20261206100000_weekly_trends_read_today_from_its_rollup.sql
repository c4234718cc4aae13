-- Issue 11, the dashboard's reads (twelfth pass): today's trend is rolled up once per write of
-- metrics, where tool_weekly_trends aggregated it once per read.
--
-- Why: late in the UTC day the view's live part sorted about 24,000 of today's samples at 1,000
-- tools and took each tool's 95th percentile (a sort per tool) on every read: about two thirds
-- of weekly_trends(), the slowest of dashboard()'s three reads. Today's samples change only when
-- metrics are written, so their aggregate is now kept where they are written:
--
-- * public.metric_trends_today holds today's aggregate of each tool, as the view computed it
--   (the same expressions: the same values), in one row of arrays. One difference, found by
--   review and kept: where the view's own result depended on the order rows lie in (a -0 tied
--   with a 0 at the 95th percentile, which an update of a status moves), the rollup keeps the
--   order they had when it ran.
-- * governance_settings.trends_today names the day it holds complete: every sample of that day
--   in metrics is counted in it and nothing else is. Null: it holds no day complete.
-- * aggregate_metric_trends (the insert trigger on metrics) rolls today up again whenever a
--   statement inserts one of today's samples, and names the day. A backfill's run (deferred, as
--   its past days are, 20261127110000) names none instead: today is read live until the next
--   scheduled run rolls it up.
-- * A delete of one of that day's samples (by hand, the purge of a retention shorter than a day,
--   a tool's removal), a change of any value the trend reads, a truncate, and a write of a sample
--   of the day named that does not roll it up (a transaction begun before midnight writing the
--   new day's) name none. After midnight the day named is yesterday, which the view ignores,
--   until a write of the new day names it.
-- * tool_weekly_trends reads today from metric_trends_today when today is the day named,
--   and aggregates today live otherwise, as before. Its rows are those of 20261130300000 in every
--   state (tests/test_weekly_trends_read_today_from_its_rollup.py).
--
-- The cost moves to the writer: a run re-aggregates the day's samples once, where every reader
-- did (at 23:00 UTC, 20-30 ms at 1,000 tools and about 150 ms at 10,000; its WAL about 0.1 MiB
-- at 10,000 tools, docs/performance.md). The trend rollup's triggers take
-- the governance row's lock first, as every writer of metrics does (20261201100000), so their
-- rollups take turns, and a rollup under READ COMMITTED reads the day after taking it. Under
-- REPEATABLE READ or SERIALIZABLE a snapshot may predate a committed write of today, so a writer
-- at those levels names no day (the next scheduled run does).

alter table public.governance_settings add column trends_today date;

create table public.metric_trends_today (
  day date primary key,
  tool_ids bigint[] not null,
  avg_health real[] not null,
  p95_latency_ms real[] not null,
  avg_uptime_pct real[] not null,
  avg_data_quality real[] not null
);
-- One row of arrays, in tool_id order, not a row a tool: each run rewrites the day whole, and
-- after a checkpoint (an hourly run always meets one) a row a tool cost a full-page image of
-- every page of the table, about 1.3 MiB a run at 10,000 tools, 1.6 MiB of WAL in all; the
-- arrays are written out of line as one value of about 240 KB at 10,000 tools
-- (bench/wal_breakdown.py). Only what tool_weekly_trends shows is kept.

comment on table public.metric_trends_today is
  'Today''s aggregate per tool (arrays in tool_id order) for the day '
  'governance_settings.trends_today names, kept by the trend rollup trigger on metrics (read by '
  'tool_weekly_trends).';

revoke all on public.metric_trends_today from public, anon, authenticated, service_role;
grant select on public.metric_trends_today to anon, authenticated, service_role;
alter table public.metric_trends_today enable row level security;
create policy "readable by everyone" on public.metric_trends_today
  for select to anon, authenticated, service_role using (true);

-- Roll today (UTC, at the transaction's time) up into metric_trends_today, whole, with the
-- view's expressions (20261130300000), name it complete and return it (null: named none). The
-- rollup trigger calls it; the service role may too (it reads every committed sample of today,
-- as the trigger does), so it takes the governance row's lock itself (see the delete and change
-- triggers below).
create function public._roll_up_today()
returns date
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_today date := (now() at time zone 'UTC')::date;
begin
  perform 1 from public.governance_settings g where g.id for update;
  -- Under REPEATABLE READ or SERIALIZABLE the snapshot predates the lock: a delete, a change or
  -- a backfill's sample of today committed meanwhile would be missing from the rollup (found by
  -- review). Such a writer names no day; the next one under READ COMMITTED, as every writer of
  -- the project runs, rolls today up from every committed sample.
  if current_setting('transaction_isolation') <> 'read committed' then
    update public.governance_settings set trends_today = null where id;
    return null;
  end if;
  delete from public.metric_trends_today where day <> v_today;  -- yesterday's
  insert into public.metric_trends_today as t
    (day, tool_ids, avg_health, p95_latency_ms, avg_uptime_pct, avg_data_quality)
  select
    v_today,
    coalesce(array_agg(d.tool_id order by d.tool_id), '{}'),
    coalesce(array_agg(d.avg_health order by d.tool_id), '{}'),
    coalesce(array_agg(d.p95_latency_ms order by d.tool_id), '{}'),
    coalesce(array_agg(d.avg_uptime_pct order by d.tool_id), '{}'),
    coalesce(array_agg(d.avg_data_quality order by d.tool_id), '{}')
  from (
    select
      m.tool_id,
      avg(m.health)::real as avg_health,
      (percentile_cont(0.95) within group (order by m.latency_ms))::real as p95_latency_ms,
      avg(m.uptime_pct)::real as avg_uptime_pct,
      avg(m.data_quality)::real as avg_data_quality
    from public.metrics m
    where m.recorded_at >= v_today::timestamp at time zone 'UTC'
      and m.recorded_at < (v_today + 1)::timestamp at time zone 'UTC'
    group by m.tool_id
  ) d
  on conflict (day) do update
  set tool_ids = excluded.tool_ids,
      avg_health = excluded.avg_health,
      p95_latency_ms = excluded.p95_latency_ms,
      avg_uptime_pct = excluded.avg_uptime_pct,
      avg_data_quality = excluded.avg_data_quality;
  update public.governance_settings set trends_today = v_today where id;
  return v_today;
end
$$;

-- As 20261127110000, and today rolled up into metric_trends_today (marked "Changed").
create or replace function public.aggregate_metric_trends()
returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  v_today date := (now() at time zone 'UTC')::date;
  v_through date;
  v_pending date[];
  v_kept date;
  v_from date;
  v_touched date[];
  v_today_touched boolean;
  v_kept_touched boolean;
  v_owed date[];
  v_defer boolean := coalesce(current_setting('worksinprod.defer_trend_rollups', true), '') = 'on';
begin
  -- The row lock makes concurrent inserts take turns here, so two never roll up one day twice.
  select g.trends_through, g.trends_pending, g.trends_today into v_through, v_pending, v_kept
  from public.governance_settings g where g.id for update;
  v_from := coalesce(v_through + 1,
    (select (min(m.recorded_at) at time zone 'UTC')::date from public.metrics m));
  -- Changed: one pass over the statement's rows also says whether it wrote one of today's.
  select
    coalesce(array_agg(distinct (i.recorded_at at time zone 'UTC')::date)
      filter (where i.recorded_at < v_today::timestamp at time zone 'UTC'), '{}'),
    coalesce(bool_or((i.recorded_at at time zone 'UTC')::date = v_today), false),
    coalesce(bool_or((i.recorded_at at time zone 'UTC')::date = v_kept), false)
  into v_touched, v_today_touched, v_kept_touched
  from inserted i;
  -- Owed: the days this statement touched, the pending ones, the days ended since the last run.
  select coalesce(array_agg(distinct d), '{}') into v_owed
  from (
    select unnest(v_touched) as d
    union
    select unnest(v_pending)
    union
    select s::date from generate_series(v_from, v_today - 1, interval '1 day') as s
  ) as owed;
  if v_defer then
    v_pending := array(select d from unnest(v_owed) as d where d = any (v_touched) order by d);
    v_owed := array(select d from unnest(v_owed) as d where d <> all (v_touched));
  else
    v_pending := '{}';
  end if;
  if cardinality(v_owed) > 0 then
    perform public.roll_up_trends(v_owed);
  end if;
  -- Changed: today, rolled up whole by a statement that wrote one of its samples; a backfill's
  -- leaves it to be read live until the next scheduled run.
  -- (the day named may be other than this transaction's today: one begun before midnight
  -- writes a sample of the new day, which another has rolled up and named)
  if v_today_touched and not v_defer then
    v_kept := public._roll_up_today();
  elsif v_today_touched or v_kept_touched then
    v_kept := null;
  end if;
  update public.governance_settings
  set trends_through = v_today - 1, trends_pending = v_pending, trends_today = v_kept
  where id
    and (trends_through is distinct from v_today - 1 or trends_pending is distinct from v_pending
      or trends_today is distinct from v_kept);
  return null;
end
$$;

-- A delete of one of the rolled-up day's samples, or a change of a value the trend reads: the
-- day is no longer complete in metric_trends_today until the next rollup. Each first takes the
-- governance row's lock, as the rollup does: a rollup running beside an uncommitted delete or
-- change would read the rows as they were and name the day complete once both committed. With
-- the lock, the rollup waits and reads them as they are, or the delete waits and then sees the
-- day the rollup named. A statement that deleted no row takes no lock (the purge of a run that
-- found nothing old).
create function public._trends_today_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kept date;
begin
  if not exists (select from deleted) then
    return null;
  end if;
  select g.trends_today into v_kept from public.governance_settings g where g.id for update;
  if v_kept is not null and exists (
    select from deleted d where (d.recorded_at at time zone 'UTC')::date = v_kept
  ) then
    update public.governance_settings set trends_today = null where id;
  end if;
  return null;
end
$$;

create function public._trends_today_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform 1 from public.governance_settings g where g.id for update;
  update public.governance_settings set trends_today = null
  where id and trends_today is not null;
  return null;
end
$$;

revoke execute on function public._roll_up_today(), public._trends_today_deleted(),
  public._trends_today_changed()
  from public, anon, authenticated;
-- aggregate_metric_trends runs as the writer of metrics (the service role)
grant execute on function public._roll_up_today() to service_role;

-- The purge (metrics_purge_old, after each insert) deletes through the same statement trigger:
-- a retention shorter than a day, whose cutoff falls in today, names no day after each run.
create trigger metrics_trends_today_deleted
after delete on public.metrics
referencing old table as deleted
for each statement
execute function public._trends_today_deleted();

-- A maintenance window's status is not read by the trend: only these columns count.
create trigger metrics_trends_today_changed
after update of tool_id, recorded_at, health, latency_ms, uptime_pct, data_quality
on public.metrics
for each statement
execute function public._trends_today_changed();

create trigger metrics_trends_today_truncated
after truncate on public.metrics
for each statement
execute function public._trends_today_changed();

-- As 20261130300000, with today read from metric_trends_today when it holds today complete, and
-- each tool's days (rolled up, today's row, read live) aggregated once in day order instead of
-- two arrays concatenated: with today a row of its own, the sorted parts are merged (each read
-- in tool and day order) without sorting their union. The days are those of 20261130300000:
-- every rolled-up day is at most trends_through, every day read live after it, today comes
-- either from its rollup or live, never both, and a tool has one row a day in each part, so
-- ordering by day gives the arrays the concatenation gave. The same rows, columns, order and
-- types, grants and security.
create or replace view public.tool_weekly_trends with (security_invoker = true) as
with shape as (
  select
    b.first_day,
    b.through,
    b.today,
    -- the first instant read live, and today's bounds, as instants
    (greatest(coalesce(b.through + 1, b.first_day), b.first_day))::timestamp
      at time zone 'UTC' as since,
    b.today::timestamp at time zone 'UTC' as today_from,
    (b.today + 1)::timestamp at time zone 'UTC' as today_until,
    not exists (
      select from unnest(b.pending) as p(day) where p.day >= b.first_day and p.day <= b.through
    ) as in_order,
    -- Changed: today is rolled up whole, and the live days would have read all of it
    coalesce(b.kept = b.today, false)
      and greatest(coalesce(b.through + 1, b.first_day), b.first_day) <= b.today as today_kept
  from (
    select
      ((now() - coalesce(g.retention, interval '7 days')) at time zone 'UTC')::date
        as first_day,
      g.trends_through as through,
      g.trends_pending as pending,
      g.trends_today as kept,
      (now() at time zone 'UTC')::date as today
    from public.governance_settings g
    where g.id
  ) b
)
select
  t.id as tool_id,
  t.slug,
  coalesce(d.days, '{}') as days,
  coalesce(d.avg_health, '{}') as avg_health,
  coalesce(d.p95_latency_ms, '{}') as p95_latency_ms,
  coalesce(d.avg_uptime_pct, '{}') as avg_uptime_pct,
  coalesce(d.avg_data_quality, '{}') as avg_data_quality
from public.tools t
left join (
  select
    d.tool_id,
    array_agg(d.day order by d.day) as days,
    array_agg(d.avg_health order by d.day) as avg_health,
    array_agg(d.p95_latency_ms order by d.day) as p95_latency_ms,
    array_agg(d.avg_uptime_pct order by d.day) as avg_uptime_pct,
    array_agg(d.avg_data_quality order by d.day) as avg_data_quality
  from (
    -- the rolled-up days
    select r.tool_id, r.day, r.avg_health, r.p95_latency_ms, r.avg_uptime_pct, r.avg_data_quality
    from public.metric_trends_daily r
    where r.day >= (select s.first_day from shape s) and r.day <= (select s.through from shape s)
    union all
    -- Changed: today as rolled up, when it is
    select u.tool_id, k.day, u.avg_health, u.p95_latency_ms, u.avg_uptime_pct,
      u.avg_data_quality
    from public.metric_trends_today k
    cross join lateral unnest(k.tool_ids, k.avg_health, k.p95_latency_ms, k.avg_uptime_pct,
      k.avg_data_quality) as u(tool_id, avg_health, p95_latency_ms, avg_uptime_pct,
      avg_data_quality)
    where (select s.today_kept from shape s) and k.day = (select s.today from shape s)
    union all
    -- today read live, when it is not
    select
      m.tool_id,
      (select s.today from shape s) as day,
      avg(m.health)::real as avg_health,
      (percentile_cont(0.95) within group (order by m.latency_ms))::real as p95_latency_ms,
      avg(m.uptime_pct)::real as avg_uptime_pct,
      avg(m.data_quality)::real as avg_data_quality
    from public.metrics m
    where not (select s.today_kept from shape s)
      and m.recorded_at >= (select greatest(s.since, s.today_from) from shape s)
      and m.recorded_at < (select s.today_until from shape s)
    group by m.tool_id
    union all
    -- before today (no run has rolled up yesterday yet) or after it
    select
      m.tool_id,
      (m.recorded_at at time zone 'UTC')::date,
      avg(m.health)::real,
      (percentile_cont(0.95) within group (order by m.latency_ms))::real,
      avg(m.uptime_pct)::real,
      avg(m.data_quality)::real
    from public.metrics m
    where m.recorded_at >= (select s.since from shape s)
      and (m.recorded_at < (select s.today_from from shape s)
        or m.recorded_at >= (select s.today_until from shape s))
    group by m.tool_id, (m.recorded_at at time zone 'UTC')::date
  ) d
  group by d.tool_id
) d on d.tool_id = t.id
-- (no settings row: no bounds, so every tool with no days, as before)
where coalesce((select s.in_order from shape s), true)
union all
-- a backfill under way left a rolled-up day pending: every day of the union, sorted, as before
select
  t.id,
  t.slug,
  coalesce(w.days, '{}'),
  coalesce(w.avg_health, '{}'),
  coalesce(w.p95_latency_ms, '{}'),
  coalesce(w.avg_uptime_pct, '{}'),
  coalesce(w.avg_data_quality, '{}')
from public.tools t
left join (
  select
    d.tool_id,
    array_agg(d.day order by d.day) as days,
    array_agg(d.avg_health order by d.day) as avg_health,
    array_agg(d.p95_latency_ms order by d.day) as p95_latency_ms,
    array_agg(d.avg_uptime_pct order by d.day) as avg_uptime_pct,
    array_agg(d.avg_data_quality order by d.day) as avg_data_quality
  from public.tool_daily_trends d
  group by d.tool_id
) w on w.tool_id = t.id
where not coalesce((select s.in_order from shape s), true);

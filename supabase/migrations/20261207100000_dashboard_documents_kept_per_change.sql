-- The dashboard's two documents written once per change, not once per read (issue 11).
--
-- dashboard() reads every tool's sparkline and weekly trend as two JSON documents the server
-- writes from tool_sparklines and tool_weekly_trends. At 1,000 tools × 7 days writing them
-- costs the server about 30 ms of CPU a call (17.5 and 13 ms), beside the 34 ms of Python the
-- client spends on the same two cores, for documents that change only when a heartbeat or an
-- edit lands, or when the clock moves a sample or a day out of their windows.
--
-- Each is kept here with the key it was written under and the moment its view would first say
-- something else with no write in between. The key: stack_state's run and edit count; a
-- counter of the other writes the views show (any write of metrics, a delete of a run, a write
-- to a rollup or to which days are rolled up, a partition dropped), which a run moves too; the newest migration applied (one may replace a view); and the two
-- settings of the reader's session the documents depend on (TimeZone: the weekly trends'
-- first day is counted back on the session's clock; extra_float_digits: how a real is
-- written). The moment:
--
-- * the sparklines: 24 hours after the oldest sample they show was recorded (the window is
--   `recorded_at > now() - 24 hours`; a sample enters it only by a write);
-- * the weekly trends: the next UTC midnight (today's day changes), or the moment the first
--   day shown moves (a retention after the start of the day after it), the sooner.
--
-- A reader gets the kept document while its key is stack_state's and the clock is between the
-- moment it was made and that end; otherwise the view's, which it keeps for the next reader.
-- Never stale: the key changes in the transaction of every write the views show (a run, an
-- edit of a tool, the retention), and a document read in a snapshot newer than its key only
-- ever goes with a key no later reader sees.
--
-- Unlogged: a cache is not worth WAL (a heartbeat's WAL is one of the issue's targets); a crash
-- empties it and the next read writes it again. A hot standby cannot read an unlogged table:
-- there the views are read. A read in a read-only transaction (PostgREST's GET), at REPEATABLE
-- READ or above (its snapshot may be older than a document kept since: its write would fail),
-- or while another transaction is keeping the same document returns the view's document and
-- keeps nothing, without waiting. Found by review: the key's parts past stack_state, the
-- standby, the isolation level.

create unlogged table public.dashboard_documents (
  name text primary key check (name in ('sparklines', 'weekly_trends')),
  key text not null,
  made_at timestamptz not null,
  valid_until timestamptz not null,
  document text not null
);

comment on table public.dashboard_documents is
  'The documents of tool_sparklines and tool_weekly_trends as last written, with the key they '
  'were written under and until when the clock leaves them true (read through '
  'sparklines_document() and weekly_trends_document()).';

-- Written once, read many times: not compressed (reading it back skips decompressing it).
alter table public.dashboard_documents alter column document set storage external;

-- Only the functions below read or write it.
revoke all on public.dashboard_documents from public, anon, authenticated, service_role;
alter table public.dashboard_documents enable row level security;

-- The writes the views show that stack_state does not count: one row a writing transaction, the
-- newest id read. Rows are only ever added by writers (none updates one), so a writer at
-- REPEATABLE READ never meets another's change here. Each writer holds the governance row
-- until it commits before it takes its id, so ids follow the commits: a later commit never
-- brings a smaller id.
create table public.dashboard_changes (
  id bigint generated always as identity primary key
);
revoke all on public.dashboard_changes from public, anon, authenticated, service_role;
alter table public.dashboard_changes enable row level security;

-- Once a transaction (a transaction-local setting says it counted; a savepoint rolled back
-- forgets it with its row): one row updated by every statement of a transaction grew a chain
-- of versions each update walked (10,000 one-row inserts took minutes). The governance row
-- first, as every writer of the trends takes it (the trend triggers, the rollup): one order,
-- whoever writes, so no two writers deadlock.
create function public._count_dashboard_change()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_xact text := pg_catalog.pg_current_xact_id()::text;
  v_id bigint;
begin
  if pg_catalog.current_setting('worksinprod.dashboard_counted', true) = v_xact then
    return;
  end if;
  perform 1 from public.governance_settings g where g.id for update;
  insert into public.dashboard_changes default values returning id into v_id;
  perform pg_catalog.set_config('worksinprod.dashboard_counted', v_xact, true);
  -- only the newest id is read: the older go now and then, by a READ COMMITTED writer (one at
  -- REPEATABLE READ could meet another's delete of them)
  if v_id % 64 = 0 and pg_catalog.current_setting('transaction_isolation') = 'read committed' then
    delete from public.dashboard_changes c where c.id < v_id;
  end if;
end
$$;

create function public._dashboard_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public._count_dashboard_change();
  return null;
end
$$;

create function public._dashboard_changed_if_written()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select from written) then
    perform public._count_dashboard_change();
  end if;
  return null;
end
$$;

revoke execute on function public._count_dashboard_change(), public._dashboard_changed(),
  public._dashboard_changed_if_written() from public, anon, authenticated, service_role;

-- Named to fire after the other triggers of the same events (triggers fire by name). A
-- statement's transition table is shared by its triggers, so these capture nothing the others
-- did not.
create trigger metrics_zz_dashboard_inserted after insert on public.metrics
  referencing new table as written for each statement
  execute function public._dashboard_changed_if_written();
create trigger metrics_zz_dashboard_updated after update on public.metrics
  referencing new table as written for each statement
  execute function public._dashboard_changed_if_written();
create trigger metrics_zz_dashboard_deleted after delete on public.metrics
  referencing old table as written for each statement
  execute function public._dashboard_changed_if_written();
create trigger metrics_zz_dashboard_truncated after truncate on public.metrics
  for each statement execute function public._dashboard_changed();
create trigger heartbeat_log_zz_dashboard_deleted after delete on public.heartbeat_log
  referencing old table as written for each statement
  execute function public._dashboard_changed_if_written();
create trigger heartbeat_log_zz_dashboard_truncated after truncate on public.heartbeat_log
  for each statement execute function public._dashboard_changed();
create trigger metric_trends_daily_zz_dashboard_inserted after insert on public.metric_trends_daily
  referencing new table as written for each statement
  execute function public._dashboard_changed_if_written();
create trigger metric_trends_daily_zz_dashboard_updated after update on public.metric_trends_daily
  referencing new table as written for each statement
  execute function public._dashboard_changed_if_written();
create trigger metric_trends_daily_zz_dashboard_deleted after delete on public.metric_trends_daily
  referencing old table as written for each statement
  execute function public._dashboard_changed_if_written();
create trigger metric_trends_daily_zz_dashboard_truncated
  after truncate on public.metric_trends_daily
  for each statement execute function public._dashboard_changed();
create trigger metric_trends_today_zz_dashboard_written
  after insert or update or delete or truncate on public.metric_trends_today
  for each statement execute function public._dashboard_changed();

-- Which days the weekly trends read from the rollups (a run moves these with the rollups), and
-- the row itself deleted or written again.
create trigger governance_settings_zz_dashboard_trends
  after insert or delete or update of trends_through, trends_pending, trends_today
  on public.governance_settings
  for each statement execute function public._dashboard_changed();

-- The governance row before the rows a statement writes, where nothing took it before the
-- counter did (a run deleted, a rollup written by hand): record_heartbeat takes the governance
-- row, then its run's, and the two would deadlock (found by review).
create trigger heartbeat_log_deleted_in_commit_order
  before delete on public.heartbeat_log
  for each statement execute function public._heartbeat_runs_in_commit_order();
create trigger metric_trends_daily_written_in_commit_order
  before insert or update or delete or truncate on public.metric_trends_daily
  for each statement execute function public._heartbeat_runs_in_commit_order();

-- A partition dropped (prepare_metric_partitions, in a transaction of its own before each run)
-- takes samples no delete trigger sees: under a retention shorter than a day some are in the
-- sparklines' 24 hours. 20261201100000's function, counting the drop.
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
    perform public._count_dashboard_change();  -- Changed: the drop counted
  end if;
  return v_dropped;
end
$$;

create function public._dashboard_document(p_name text)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  -- a standby cannot read an unlogged table
  v_kept_here boolean := not pg_catalog.pg_is_in_recovery();
  v_key text;
  v_ledger text := '';
  v_kept public.dashboard_documents%rowtype;
  v_document text;
  v_until timestamptz;
  v_retention interval;
  v_first date;
begin
  if p_name is distinct from 'sparklines' and p_name is distinct from 'weekly_trends' then
    raise exception 'name: no dashboard document named %', pg_catalog.quote_literal(p_name)
      using errcode = '22023';
  end if;
  if v_kept_here then
    if pg_catalog.to_regclass('supabase_migrations.schema_migrations') is not null then
      select coalesce(max(l.version), '') into v_ledger
      from supabase_migrations.schema_migrations l;
    end if;
    select pg_catalog.format('%s/%s/%s/%s/%s/%s', s.run_id, s.version,
        (select coalesce(max(c.id), 0) from public.dashboard_changes c), v_ledger,
        pg_catalog.current_setting('TimeZone'), pg_catalog.current_setting('extra_float_digits'))
      into v_key
    from public.stack_state s;
    select d.* into v_kept from public.dashboard_documents d where d.name = p_name;
    if found and v_kept.key = v_key and v_kept.made_at <= now() and now() < v_kept.valid_until
    then
      return v_kept.document;
    end if;
  end if;

  if p_name = 'sparklines' then
    select coalesce(json_agg(r.* order by r.tool_id), '[]')::text into v_document
    from public.tool_sparklines r;
    select coalesce(min(m.recorded_at) + interval '24 hours', 'infinity') into v_until
    from public.metrics m
    where m.recorded_at > now() - interval '24 hours';
  else
    select coalesce(json_agg(r.* order by r.tool_id), '[]')::text into v_document
    from public.tool_weekly_trends r;
    -- the view's own bounds (20261206100000): its first day and today, in UTC
    select g.retention into v_retention from public.governance_settings g where g.id;
    v_retention := coalesce(v_retention, interval '7 days');
    v_first := ((now() - v_retention) at time zone 'UTC')::date;
    v_until := least(
      ((now() at time zone 'UTC')::date + 1)::timestamp at time zone 'UTC',
      ((v_first + 1)::timestamp at time zone 'UTC') + v_retention
    );
  end if;

  if v_kept_here and v_key is not null
    and pg_catalog.current_setting('transaction_read_only') = 'off'
    and pg_catalog.current_setting('transaction_isolation') = 'read committed'
    -- not once a write of this transaction has counted: its next write would add no row, and a
    -- document kept now would outlive that write under the same key (found by review)
    and not coalesce(pg_catalog.current_setting('worksinprod.dashboard_counted', true)
      = pg_catalog.pg_current_xact_id_if_assigned()::text, false)
    -- one lock a document: dashboard() writes both at once, on two connections
    and pg_catalog.pg_try_advisory_xact_lock(
      pg_catalog.hashtext('worksinprod.dashboard_documents.' || p_name))
  then
    insert into public.dashboard_documents as d (name, key, made_at, valid_until, document)
    values (p_name, v_key, now(), v_until, v_document)
    on conflict (name) do update set
      key = excluded.key,
      made_at = excluded.made_at,
      valid_until = excluded.valid_until,
      document = excluded.document;
  end if;
  return v_document;
end
$$;

-- What `select json_agg(r order by r.tool_id) from tool_sparklines r` says, kept per change.
create function public.sparklines_document()
returns text
language sql
volatile
security definer
set search_path = ''
as $$ select public._dashboard_document('sparklines') $$;

-- What `select json_agg(r order by r.tool_id) from tool_weekly_trends r` says, kept per change.
create function public.weekly_trends_document()
returns text
language sql
volatile
security definer
set search_path = ''
as $$ select public._dashboard_document('weekly_trends') $$;

revoke execute on function public._dashboard_document(text), public.sparklines_document(),
  public.weekly_trends_document() from public, anon, authenticated, service_role;
grant execute on function public.sparklines_document(), public.weekly_trends_document()
  to anon, authenticated, service_role;

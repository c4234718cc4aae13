-- The dashboard's two documents written once per change, not once per read (issue 11).
--
-- dashboard() reads every tool's sparkline and weekly trend as two JSON documents the server
-- writes from tool_sparklines and tool_weekly_trends. At 1,000 tools × 7 days writing them
-- costs the server about 30 ms of CPU a call (17.5 and 13 ms), beside the 34 ms of Python the
-- client spends on the same two cores, for documents that change only when a heartbeat or an
-- edit lands, or when the clock moves a sample or a day out of their windows.
--
-- Each is kept here with the key it was written under (stack_state's run and edit count) and
-- the moment its view would first say something else with no write in between:
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
-- empties it and the next read writes it again. A read in a read-only transaction (a replica,
-- PostgREST's GET) returns the view's document and keeps nothing; so does one while another
-- transaction is keeping one, instead of waiting for it.

create unlogged table public.dashboard_documents (
  name text primary key check (name in ('sparklines', 'weekly_trends')),
  run_id bigint not null,
  version bigint not null,
  made_at timestamptz not null,
  valid_until timestamptz not null,
  document text not null
);

comment on table public.dashboard_documents is
  'The documents of tool_sparklines and tool_weekly_trends as last written, with the '
  'stack_state they were written under and until when the clock leaves them true (read '
  'through sparklines_document() and weekly_trends_document()).';

-- Written once, read many times: not compressed (reading it back skips decompressing it).
alter table public.dashboard_documents alter column document set storage external;

-- Only the functions below read or write it.
revoke all on public.dashboard_documents from public, anon, authenticated, service_role;
alter table public.dashboard_documents enable row level security;

create function public._dashboard_document(p_name text)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_run bigint;
  v_version bigint;
  v_kept public.dashboard_documents%rowtype;
  v_document text;
  v_until timestamptz;
  v_retention interval;
  v_first date;
begin
  select s.run_id, s.version into v_run, v_version from public.stack_state s;
  select d.* into v_kept from public.dashboard_documents d where d.name = p_name;
  if found and v_kept.run_id = v_run and v_kept.version = v_version
    and v_kept.made_at <= now() and now() < v_kept.valid_until then
    return v_kept.document;
  end if;

  if p_name = 'sparklines' then
    select coalesce(json_agg(r.* order by r.tool_id), '[]')::text into v_document
    from public.tool_sparklines r;
    select coalesce(min(m.recorded_at) + interval '24 hours', 'infinity') into v_until
    from public.metrics m
    where m.recorded_at > now() - interval '24 hours';
  elsif p_name = 'weekly_trends' then
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
  else
    raise exception 'name: no dashboard document named %', pg_catalog.quote_literal(p_name)
      using errcode = '22023';
  end if;

  if pg_catalog.current_setting('transaction_read_only') = 'off'
    -- one lock a document: dashboard() writes both at once, on two connections
    and pg_catalog.pg_try_advisory_xact_lock(
      pg_catalog.hashtext('worksinprod.dashboard_documents.' || p_name))
  then
    insert into public.dashboard_documents as d
      (name, run_id, version, made_at, valid_until, document)
    values (p_name, v_run, v_version, now(), v_until, v_document)
    on conflict (name) do update set
      run_id = excluded.run_id,
      version = excluded.version,
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

-- stack_state names the database's history too, so a dashboard left running across a reset or a
-- restore never serves what it kept from before (issue 11, the read cache; found by review).
--
-- Why: the dashboard keeps its reads per stack_state (the newest run's id and the edit count),
-- and both start again from nothing when the database is reset (`supabase db reset`, drop and
-- migrate and seed), or go back when it is restored. A running `worksinprod serve` that had
-- kept the pages of (24, 4) served them again once the new history reached (24, 4), with other
-- numbers in the database; until then it computed every read for every visitor and kept none
-- (a state older than the one it had seen).
--
-- epoch is a text that changes whenever the history may have: a random id of this stack_version
-- row (made again by a reset that re-runs the migrations in the same database), the database's
-- oid (a database dropped and made again, or cloned from a template), and when the server
-- started (a restore starts it). A reader compares it only for equality: another epoch is
-- another history, whatever its numbers. A restart alone changes it too, which costs a
-- dashboard one cold read of each page.

alter table public.stack_version add column epoch uuid not null default gen_random_uuid();

create or replace view public.stack_state with (security_invoker = true) as
select
  coalesce((select max(h.id) from public.heartbeat_log h), 0)::bigint as run_id,
  v.version,
  -- hashed: readers compare it, and nobody need learn when the server last started
  md5(format('%s/%s/%s', v.epoch,
    (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()),
    extract(epoch from pg_catalog.pg_postmaster_start_time()))) as epoch
from public.stack_version v;

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
-- epoch is a text that changes whenever the history is made again: a random id of this
-- stack_version row (made again by a reset that re-runs the migrations in the same database)
-- and the database's oid (a database dropped and made again, restored from a dump, or cloned
-- from a template). A reader compares it only for equality: another epoch is another history,
-- whatever its numbers. It is the same on every connection and on a streaming replica (not the
-- server's start time: behind a load balancer over a primary and its replica that emptied the
-- cache on nearly every request). A restore into the same database in place (a point in time)
-- keeps both: restart the dashboard after one (docs/deploy.md).

alter table public.stack_version add column epoch uuid not null default gen_random_uuid();

create or replace view public.stack_state with (security_invoker = true) as
select
  coalesce((select max(h.id) from public.heartbeat_log h), 0)::bigint as run_id,
  v.version,
  -- hashed: readers only compare it
  md5(format('%s/%s', v.epoch,
    (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())))
    as epoch
from public.stack_version v;

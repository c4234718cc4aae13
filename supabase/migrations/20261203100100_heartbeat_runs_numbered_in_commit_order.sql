-- A heartbeat run's id is taken in the order runs commit, so that every run moves stack_state
-- (issue 11, the read cache; found by review).
--
-- Why: stack_state's run_id is max(heartbeat_log.id), and the dashboard keeps every read once
-- per stack_state (web/cache.py). record_heartbeat took its id at its insert into heartbeat_log
-- and serialised with other writers only after it, at the governance row's lock
-- (ensure_metric_partitions). Two runs at once (a backfill or a forced run while the hourly
-- one fires, two schedulers) could commit in the other order: run 25 committing after run 26
-- left max(id) at 26, so the dashboard kept serving the reads it had made before run 25 landed,
-- until the next heartbeat or edit (87 of 3,257 runs from three concurrent writers).
--
-- Now an insert into heartbeat_log first takes that same lock, which every writer of metrics
-- takes and holds to its commit: the next run's id is drawn only after the previous run
-- committed, so each commit raises max(id). No new lock and no new order: record_heartbeat
-- took it a statement later in the same transaction. A repeat of a recorded run (its run_key
-- taken) now waits for a run under way instead of answering at once.

create function public._heartbeat_runs_in_commit_order()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform 1 from public.governance_settings g where g.id for update;
  return null;
end
$$;

create trigger heartbeat_log_runs_in_commit_order
before insert on public.heartbeat_log
for each statement
execute function public._heartbeat_runs_in_commit_order();

revoke execute on function public._heartbeat_runs_in_commit_order() from public, anon,
  authenticated;

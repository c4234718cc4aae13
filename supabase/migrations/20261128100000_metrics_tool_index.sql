-- Issue 11, storage and WAL: metrics' unique (tool_id, recorded_at) btree becomes a plain btree
-- on tool_id, and "one row per tool and instant" is kept by a statement trigger instead.
--
-- Why: in a day partition each tool has at most 24 rows. The unique index stored every row's
-- 16-byte key with its own tuple header (about 40 bytes a row at the fill that random inserts
-- leave), a third of a week's storage. A non-unique btree deduplicates equal keys (PostgreSQL
-- 13+ does it by default): each tool's key is stored once with a posting list of 6-byte row
-- addresses, about 7 bytes a row. The heartbeat writes one row per tool into today's partition,
-- so it touches every leaf page of that partition's index; after a checkpoint each touched page
-- is written whole into the WAL, and those pages are now about a sixth as many.
--
-- What reads it: a tool's rows (its page, its sparkline, tools_current's probe of a tool missing
-- from the newest run) find the tool's few row addresses per day through tool_id and filter or
-- order them by recorded_at (at most 24 a day); a run's rows are found by recorded_at through the
-- block-range index, as before. Nothing used ON CONFLICT on metrics.
--
-- The guarantee stays: a second row for the same tool and instant is refused with the same
-- SQLSTATE (23505 unique_violation) and constraint name as before, so record_heartbeat's
-- "a tool appears twice in this run, or already has a metric at ..." and every client's
-- ConflictError are unchanged. Writers of metrics are serialised on the governance row (which
-- record_heartbeat's ensure_metric_partitions and the rollup trigger already took in the same
-- transaction), so under READ COMMITTED the check sees every committed row: two concurrent
-- writers of the same tool and instant cannot both commit.

alter table public.metrics drop constraint metrics_tool_time_key;

create index metrics_tool_id_idx on public.metrics (tool_id) with (deduplicate_items = on);

-- Refuses a statement that leaves two rows of metrics with the same tool and instant, among its
-- own rows or against the rows already there. Only the instants the statement wrote are read,
-- one at a time, each planned for its value (partition pruning and the block-range index on
-- recorded_at): a heartbeat pays one pass over its own run's rows, and a bulk insert of many
-- instants one pass per instant (a join of the statement's rows with metrics was planned as one
-- tool_id probe per written row, every partition each time).
create function public._metrics_one_per_tool_and_instant()
returns trigger
language plpgsql
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
declare
  v_at timestamptz;
  v_tool bigint;
begin
  -- Serialise with every other writer of metrics (see above); a no-op when already held.
  perform 1 from public.governance_settings g where g.id for update;
  for v_at in select distinct w.recorded_at from written w loop
    select m.tool_id into v_tool
    from public.metrics m
    where m.recorded_at = v_at
    group by m.tool_id
    having count(*) > 1
    limit 1;
    if found then
      raise exception 'duplicate key value violates unique constraint "metrics_tool_time_key"'
        using errcode = '23505', constraint = 'metrics_tool_time_key', table = 'metrics',
          schema = 'public',
          detail = format('Key (tool_id, recorded_at)=(%s, %s) already exists.', v_tool, v_at);
    end if;
  end loop;
  return null;
end
$$;

-- Named to fire after metrics_aggregate_trends and metrics_purge_old (triggers fire in name
-- order); an error here rolls their work back with the statement.
create trigger metrics_unique_tool_time
after insert on public.metrics
referencing new table as written
for each statement
execute function public._metrics_one_per_tool_and_instant();

create trigger metrics_unique_tool_time_update
after update on public.metrics
referencing new table as written
for each statement
execute function public._metrics_one_per_tool_and_instant();

revoke execute on function public._metrics_one_per_tool_and_instant() from public, anon,
  authenticated;

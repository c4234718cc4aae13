-- Issue 11, dead space: tool_alert_state's pages keep half their room free, so that updating a
-- tool's row (20261128110000 writes it only when something the incident decisions read
-- changes, which a drifting tool still does often) puts the new version on the same page. Such
-- an update touches no index (the primary key's tool_id never changes), and the old version is
-- removed by the next read of its page (heap pruning) instead of waiting, with an index entry,
-- for a vacuum: a 168-hour backfill at 1,000 tools left 18,640 dead rows to 1,000 live and the
-- table at 134 pages for 1,000 rows. Applies to pages written from now on (a new database, or
-- rows added or moved later); the table is a row per tool.
alter table public.tool_alert_state set (fillfactor = 50);

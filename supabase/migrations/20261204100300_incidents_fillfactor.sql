-- Issue 11, dead space: incidents' pages keep half their room free, so that rewording an open
-- incident (its summary follows its root's status every run it changes, 20261203100500) puts
-- the new version on the same page. Such an update touches no index (neither the summary nor
-- the severity is indexed), and the next read of the page removes the old version (heap
-- pruning) instead of leaving it, with index entries, for a vacuum: a 168-hour backfill at
-- 1,000 tools left 2,911 dead rows to 1,816 live ("no table left mostly dead space by a
-- backfill"). Applies to pages written from now on, as 20261128130000 does for
-- tool_alert_state.
alter table public.incidents set (fillfactor = 50);

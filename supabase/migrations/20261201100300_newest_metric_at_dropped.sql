-- newest_metric_at() found tools_current's newest instant (20261128300000). Since
-- 20261201100000 tools_current reads each tool's latest row from tool_latest_metrics, and
-- nothing calls the function: it goes, rather than stay as a second way to find the newest row.
drop function public.newest_metric_at();

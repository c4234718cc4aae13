-- The tool page's status changes (client.status_changes(slug, 15)).
explain (analyze, format json)
select * from public.tool_status_changes where tool_id = %(id)s order by recorded_at desc limit 15

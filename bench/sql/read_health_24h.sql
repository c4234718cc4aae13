-- Sparklines of some tools (client.sparklines(tool_ids), which sends them as bigint[]): one for the tool page, 500 for /stack.
explain (analyze, format json)
select tool_id, health, latency_ms from public.tool_health_24h where tool_id = any(%(ids)s::bigint[])

-- Every function runs with a fixed search_path, so a caller who changes theirs cannot make it
-- resolve a name to an object of their own (Supabase's advisor function_search_path_mutable).
-- These two were created without one; they only call pg_catalog functions, always searched,
-- so an empty search_path is the strictest that still works.

alter function public._raise_invalid(text, text) set search_path = '';

-- Setting search_path stops PostgreSQL inlining this SQL function; it is called once per write,
-- never in a scan, so nothing measurable is lost.
alter function public._slugify(text) set search_path = '';

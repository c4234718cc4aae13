-- WAL written since %(since)s by relation and record type: records, full-page image bytes and
-- other bytes (pg_walinspect, PostgreSQL 16+). A relation gone since (a dropped partition) is
-- named by its file node.
select
  coalesce(pg_filenode_relation(b.reltablespace, b.relfilenode)::text,
    'filenode ' || b.relfilenode) as relation,
  b.resource_manager || '/' || b.record_type as record,
  count(distinct b.start_lsn) as records,
  coalesce(sum(b.block_fpi_length), 0)::bigint as fpi_bytes,
  coalesce(sum(b.block_data_length), 0)::bigint as data_bytes
from pg_get_wal_block_info(%(since)s::pg_lsn, pg_current_wal_lsn(), false) as b
group by 1, 2
order by sum(b.block_fpi_length) + sum(b.block_data_length) desc

select pg_wal_lsn_diff(pg_current_wal_lsn(), %(since)s::pg_lsn)::bigint

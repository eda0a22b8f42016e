-- A later ingest on top of raw_fixture.sql, to exercise the incremental path of
-- int_enterprise_months: a new period (2024-12) and a corrected 2024-06 line for E2. An
-- incremental build afterwards must give the same marts as a full build of the same raw data.

insert into raw.filings values
    ('915000000000000018', '渝北电脑整机公司', '渝北区', '500112', date '2024-12-01', 1200000, 14000, 5000, 'filings/filings_2024-12.csv', null, 2, null, timestamp '2025-01-20 09:00:00'),
    ('91500000000000002B', '渝北通信终端公司', '渝北区', '500112', date '2024-12-01', 220000, 5000, 1200, 'filings/filings_2024-12.csv', null, 3, null, timestamp '2025-01-20 09:00:00'),
    ('91500000000000003E', '渝北显示器件公司', '渝北区', '500112', date '2024-12-01', 65000, 2000, 300, 'filings/filings_2024-12.csv', null, 4, null, timestamp '2025-01-20 09:00:00'),
    ('91500000000000004H', '两江笔电公司', '两江新区', '5001A1', date '2024-12-01', 330000, 3500, 2000, 'filings/filings_2024-12.csv', null, 5, null, timestamp '2025-01-20 09:00:00'),
    ('91500000000000005L', '两江面板公司', '两江新区', '5001A1', date '2024-12-01', 95000, 2800, 400, 'filings/filings_2024-12.csv', null, 6, null, timestamp '2025-01-20 09:00:00'),
    ('91500000000000006P', '沙坪坝计算机零部件公司', '沙坪坝区', '500106', date '2024-12-01', 50000, 1000, 150, 'filings/filings_2024-12.csv', null, 7, null, timestamp '2025-01-20 09:00:00'),
    ('91500000000000002B', '渝北通信终端公司', '渝北区', '500112', date '2024-06-01', 105000, 2500, 1200, 'filings/filings_2024-06_更正.csv', null, 2, null, timestamp '2025-01-20 09:00:00');

update raw.filings set file_sha256 = sha256(source_file) where file_sha256 is null;

insert into raw.ingest_ledger (
    file_sha256, source_file, kind, status, reason, periods, districts, rows_read, rows_kept, first_seen_at, run_id
) values
    (sha256('filings/filings_2024-12.csv'), 'filings/filings_2024-12.csv', 'filings', 'ingested', null, '2024-12', null, 6, 6, timestamp '2025-01-20 09:00:00', 'fixture-increment'),
    (sha256('filings/filings_2024-06_更正.csv'), 'filings/filings_2024-06_更正.csv', 'filings', 'ingested', null, '2024-06', null, 1, 1, timestamp '2025-01-20 09:00:00', 'fixture-increment');

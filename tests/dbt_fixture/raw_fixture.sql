-- A tiny raw layer for developing and testing the dbt project (schema per docs/architecture.md).
-- 6 in-scope enterprises in 3 reporting units and 2 chains, plus one out of scope by industry
-- (2611) and one below designated size; periods 2022-12, 2023-06, 2023-12, 2024-06; surveys
-- 2022-2024; district submissions with one deliberately wrong revenue (两江新区 2024-06, ×10:
-- DQ02) and one missing (沙坪坝区 2023-12: DQ01); bureau rows for division 39. Credit codes are
-- valid GB 32100-2015 codes (body 9150000000000000n, check character computed).
--
-- The other findings this data gives (as_of_period 2024-12): 两江新区 2024-06 is also ten times its
-- 2023-06 submission (DQ05 error, DQ06); E1 2023-06 filed twice with different figures (unit slip
-- and its correction) and E3 2023-12 twice in one file (DQ08); E6 registered but did not file for
-- 2022-12 (DQ10); E4 filed 2022-12 through 沙坪坝区 while the registry puts it in 两江新区 (DQ11);
-- division 39 sums 1822000 against the bureau's 1900000 in 2023-12 and 975000 against 1000000 in
-- 2024-06 (DQ12, city-wide).
--
--   enterprise  unit            class  chain (registry → used)
--   E1 …0001    500112 渝北区    3911   — → smart_terminal
--   E2 …0002    500112 渝北区    3922   new_display → new_display (registry wins over smart_terminal)
--   E3 …0003    500112 渝北区    3974   — → new_display
--   E4 …0004    5001A1 两江新区  3911   — → smart_terminal (an older registry file put it in 500106)
--   E5 …0005    5001A1 两江新区  3974   — → new_display
--   E6 …0006    500106 沙坪坝区  3912   — → smart_terminal (first files in 2023)
--   E7 …0007    500112           2611   out of scope (industry)
--   E8 …0008    500112           3911   out of scope (below designated size)

create schema if not exists raw;

create or replace table raw.registry (
    uscc varchar,
    enterprise_name varchar,
    district_raw varchar,
    district_code varchar,
    industry_code varchar,
    chain_raw varchar,
    chain_code varchar,
    above_scale boolean,
    source_file varchar,
    source_sheet varchar,
    source_row integer,
    file_sha256 varchar,
    ingested_at timestamp
);

create or replace table raw.filings (
    uscc varchar,
    enterprise_name varchar,
    district_raw varchar,
    district_code varchar,
    period date,
    revenue_ytd_wan decimal(38, 6),
    rd_ytd_wan decimal(38, 6),
    employees integer,
    source_file varchar,
    source_sheet varchar,
    source_row integer,
    file_sha256 varchar,
    ingested_at timestamp
);

create or replace table raw.surveys (
    uscc varchar,
    survey_year integer,
    design boolean,
    production boolean,
    management boolean,
    sales boolean,
    source_file varchar,
    source_sheet varchar,
    source_row integer,
    file_sha256 varchar,
    ingested_at timestamp
);

create or replace table raw.district_submissions (
    district_raw varchar,
    district_code varchar,
    period date,
    enterprise_count integer,
    revenue_ytd_wan decimal(38, 6),
    rd_ytd_wan decimal(38, 6),
    source_file varchar,
    source_sheet varchar,
    source_row integer,
    file_sha256 varchar,
    ingested_at timestamp
);

create or replace table raw.bureau (
    period date,
    industry_raw varchar,
    industry_code varchar,
    revenue_ytd_wan decimal(38, 6),
    yoy_pct decimal(18, 6),
    source_file varchar,
    source_sheet varchar,
    source_row integer,
    file_sha256 varchar,
    ingested_at timestamp
);

create or replace table raw.ingest_ledger (
    file_sha256 varchar,
    source_file varchar,
    kind varchar,
    status varchar,
    reason varchar,
    periods varchar,
    districts varchar,
    rows_read integer,
    rows_kept integer,
    first_seen_at timestamp,
    run_id varchar,
    superseded_by varchar,
    status_changed_at timestamp
);

insert into raw.registry values
    ('91500000000000004H', '旧名录企业四', '沙坪坝', '500106', '3911', null, null, true, 'registry/registry_2022.csv', null, 5, null, timestamp '2024-07-01 09:00:00'),
    ('915000000000000018', '渝北电脑整机公司', '渝北区', '500112', '3911', null, null, true, 'registry/registry_2024.xlsx', 'Sheet1', 4, null, timestamp '2024-07-02 09:00:00'),
    ('91500000000000002B', '渝北通信终端公司', '渝北', '500112', '3922', '新型显示', 'new_display', true, 'registry/registry_2024.xlsx', 'Sheet1', 5, null, timestamp '2024-07-02 09:00:00'),
    ('91500000000000003E', '渝北显示器件公司', '渝北区', '500112', '3974', null, null, true, 'registry/registry_2024.xlsx', 'Sheet1', 6, null, timestamp '2024-07-02 09:00:00'),
    ('91500000000000004H', '两江笔电公司', '两江新区', '5001A1', '3911', null, null, true, 'registry/registry_2024.xlsx', 'Sheet1', 7, null, timestamp '2024-07-02 09:00:00'),
    ('91500000000000005L', '两江面板公司', '两江', '5001A1', '3974', null, null, true, 'registry/registry_2024.xlsx', 'Sheet1', 8, null, timestamp '2024-07-02 09:00:00'),
    ('91500000000000006P', '沙坪坝计算机零部件公司', '沙坪坝区', '500106', '3912', null, null, true, 'registry/registry_2024.xlsx', 'Sheet1', 9, null, timestamp '2024-07-02 09:00:00'),
    ('91500000000000007T', '渝北电池材料公司', '渝北区', '500112', '2611', null, null, true, 'registry/registry_2024.xlsx', 'Sheet1', 10, null, timestamp '2024-07-02 09:00:00'),
    ('91500000000000008X', '渝北小微电脑公司', '渝北区', '500112', '3911', null, null, false, 'registry/registry_2024.xlsx', 'Sheet1', 11, null, timestamp '2024-07-02 09:00:00');

-- revenue / R&D in 万元
insert into raw.filings values
    -- 2022-12 (E6 did not file yet)
    ('915000000000000018', '渝北电脑整机公司', '渝北区', '500112', date '2022-12-01', 1000000, 10000, 5000, 'filings/filings_2022-12.csv', null, 2, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000002B', '渝北通信终端公司', '渝北区', '500112', date '2022-12-01', 200000, 4000, 1200, 'filings/filings_2022-12.csv', null, 3, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000003E', '渝北显示器件公司', '渝北区', '500112', date '2022-12-01', 50000, 1500, 300, 'filings/filings_2022-12.csv', null, 4, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000004H', '两江笔电公司', '沙坪坝区', '500106', date '2022-12-01', 300000, 3000, 2000, 'filings/filings_2022-12.csv', null, 5, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000005L', '两江面板公司', '两江新区', '5001A1', date '2022-12-01', 80000, 2400, 400, 'filings/filings_2022-12.csv', null, 6, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000007T', '渝北电池材料公司', '渝北区', '500112', date '2022-12-01', 999999, 1, 10, 'filings/filings_2022-12.csv', null, 7, null, timestamp '2024-07-03 09:00:00'),
    -- 2023-06 (E1's first line is a unit slip, corrected by a later file; E3 has no R&D figure)
    ('915000000000000018', '渝北电脑整机公司', '渝北区', '500112', date '2023-06-01', 5500000, 6000, 5000, 'filings/filings_2023-06.csv', null, 2, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000002B', '渝北通信终端公司', '渝北区', '500112', date '2023-06-01', 90000, 2000, 1200, 'filings/filings_2023-06.csv', null, 3, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000003E', '渝北显示器件公司', '渝北区', '500112', date '2023-06-01', 30000, null, 300, 'filings/filings_2023-06.csv', null, 4, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000004H', '两江笔电公司', '两江新区', '5001A1', date '2023-06-01', 160000, 1700, 2000, 'filings/filings_2023-06.csv', null, 5, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000005L', '两江面板公司', '两江新区', '5001A1', date '2023-06-01', 45000, 1300, 400, 'filings/filings_2023-06.csv', null, 6, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000006P', '沙坪坝计算机零部件公司', '沙坪坝区', '500106', date '2023-06-01', 20000, 400, 150, 'filings/filings_2023-06.csv', null, 7, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000008X', '渝北小微电脑公司', '渝北区', '500112', date '2023-06-01', 1500, 10, 20, 'filings/filings_2023-06.csv', null, 8, null, timestamp '2024-07-03 09:00:00'),
    ('915000000000000018', '渝北电脑整机公司', '渝北区', '500112', date '2023-06-01', 550000, 6000, 5000, 'filings/filings_2023-06_更正.csv', null, 2, null, timestamp '2024-07-04 09:00:00'),
    -- 2023-12 (E3 filed twice in one file: the later row counts)
    ('915000000000000018', '渝北电脑整机公司', '渝北区', '500112', date '2023-12-01', 1100000, 12000, 5000, 'filings/filings_2023-12.xlsx', 'Sheet1', 5, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000002B', '渝北通信终端公司', '渝北区', '500112', date '2023-12-01', 210000, 4200, 1200, 'filings/filings_2023-12.xlsx', 'Sheet1', 6, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000003E', '渝北显示器件公司', '渝北区', '500112', date '2023-12-01', 59000, 1700, 300, 'filings/filings_2023-12.xlsx', 'Sheet1', 7, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000004H', '两江笔电公司', '两江新区', '5001A1', date '2023-12-01', 320000, 3300, 2000, 'filings/filings_2023-12.xlsx', 'Sheet1', 8, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000005L', '两江面板公司', '两江新区', '5001A1', date '2023-12-01', 90000, 2600, 400, 'filings/filings_2023-12.xlsx', 'Sheet1', 9, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000006P', '沙坪坝计算机零部件公司', '沙坪坝区', '500106', date '2023-12-01', 42000, 900, 150, 'filings/filings_2023-12.xlsx', 'Sheet1', 10, null, timestamp '2024-07-03 09:00:00'),
    ('91500000000000003E', '渝北显示器件公司', '渝北区', '500112', date '2023-12-01', 60000, 1800, 300, 'filings/filings_2023-12.xlsx', 'Sheet1', 11, null, timestamp '2024-07-03 09:00:00'),
    -- 2024-06 (E5 filed R&D as zero)
    ('915000000000000018', '渝北电脑整机公司', '渝北区', '500112', date '2024-06-01', 600000, 7000, 5000, 'filings/filings_2024-06.csv', null, 2, null, timestamp '2024-07-05 09:00:00'),
    ('91500000000000002B', '渝北通信终端公司', '渝北区', '500112', date '2024-06-01', 100000, 2500, 1200, 'filings/filings_2024-06.csv', null, 3, null, timestamp '2024-07-05 09:00:00'),
    ('91500000000000003E', '渝北显示器件公司', '渝北区', '500112', date '2024-06-01', 32000, 1000, 300, 'filings/filings_2024-06.csv', null, 4, null, timestamp '2024-07-05 09:00:00'),
    ('91500000000000004H', '两江笔电公司', '两江新区', '5001A1', date '2024-06-01', 170000, 1800, 2000, 'filings/filings_2024-06.csv', null, 5, null, timestamp '2024-07-05 09:00:00'),
    ('91500000000000005L', '两江面板公司', '两江新区', '5001A1', date '2024-06-01', 48000, 0, 400, 'filings/filings_2024-06.csv', null, 6, null, timestamp '2024-07-05 09:00:00'),
    ('91500000000000006P', '沙坪坝计算机零部件公司', '沙坪坝区', '500106', date '2024-06-01', 25000, 500, 150, 'filings/filings_2024-06.csv', null, 7, null, timestamp '2024-07-05 09:00:00'),
    ('91500000000000007T', '渝北电池材料公司', '渝北区', '500112', date '2024-06-01', 999999, 1, 10, 'filings/filings_2024-06.csv', null, 8, null, timestamp '2024-07-05 09:00:00');

insert into raw.surveys values
    -- 2022: E1, E3, E5 all four → 3 of 5 = 60%
    ('915000000000000018', 2022, true, true, true, true, 'surveys/survey_2022.csv', null, 2, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000002B', 2022, true, true, true, false, 'surveys/survey_2022.csv', null, 3, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000003E', 2022, true, true, true, true, 'surveys/survey_2022.csv', null, 4, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000004H', 2022, false, false, false, false, 'surveys/survey_2022.csv', null, 5, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000005L', 2022, true, true, true, true, 'surveys/survey_2022.csv', null, 6, null, timestamp '2024-07-03 10:00:00'),
    -- 2023: E1, E2 (corrected line), E3, E5 → 4 of 6; E4 left one unanswered; E7 is out of scope
    ('915000000000000018', 2023, true, true, true, true, 'surveys/survey_2023.csv', null, 2, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000002B', 2023, true, true, true, false, 'surveys/survey_2023.csv', null, 3, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000003E', 2023, true, true, true, true, 'surveys/survey_2023.csv', null, 4, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000004H', 2023, true, true, true, null, 'surveys/survey_2023.csv', null, 5, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000005L', 2023, true, true, true, true, 'surveys/survey_2023.csv', null, 6, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000006P', 2023, true, true, false, true, 'surveys/survey_2023.csv', null, 7, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000007T', 2023, true, true, true, true, 'surveys/survey_2023.csv', null, 8, null, timestamp '2024-07-03 10:00:00'),
    ('91500000000000002B', 2023, true, true, true, true, 'surveys/survey_2023_补充.csv', null, 2, null, timestamp '2024-07-04 10:00:00'),
    -- 2024: all but E6 → 5 of 6
    ('915000000000000018', 2024, true, true, true, true, 'surveys/survey_2024.csv', null, 2, null, timestamp '2024-07-05 10:00:00'),
    ('91500000000000002B', 2024, true, true, true, true, 'surveys/survey_2024.csv', null, 3, null, timestamp '2024-07-05 10:00:00'),
    ('91500000000000003E', 2024, true, true, true, true, 'surveys/survey_2024.csv', null, 4, null, timestamp '2024-07-05 10:00:00'),
    ('91500000000000004H', 2024, true, true, true, true, 'surveys/survey_2024.csv', null, 5, null, timestamp '2024-07-05 10:00:00'),
    ('91500000000000005L', 2024, true, true, true, true, 'surveys/survey_2024.csv', null, 6, null, timestamp '2024-07-05 10:00:00'),
    ('91500000000000006P', 2024, false, true, true, true, 'surveys/survey_2024.csv', null, 7, null, timestamp '2024-07-05 10:00:00');

insert into raw.district_submissions values
    ('渝北区', '500112', date '2022-12-01', 3, 1250000, 15500, 'districts/渝北区_2022-12.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    ('两江新区', '5001A1', date '2022-12-01', 2, 380000, 5400, 'districts/两江新区_2022-12.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    ('沙坪坝区', '500106', date '2022-12-01', 0, 0, 0, 'districts/沙坪坝区_2022-12.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    ('渝北区', '500112', date '2023-06-01', 3, 670000, 8000, 'districts/渝北区_2023-06.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    ('两江新区', '5001A1', date '2023-06-01', 2, 205000, 3000, 'districts/两江新区_2023-06.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    ('沙坪坝区', '500106', date '2023-06-01', 1, 20000, 400, 'districts/沙坪坝区_2023-06.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    ('万州', '500101', date '2023-06-01', 0, 0, 0, 'districts/万州区_2023-06.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    -- 渝北区 2023-12 is 0.36% off: within DQ02's 1% (no finding)
    ('渝北区', '500112', date '2023-12-01', 3, 1375000, 17700, 'districts/渝北区_2023-12.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    ('两江新区', '5001A1', date '2023-12-01', 2, 410000, 5900, 'districts/两江新区_2023-12.csv', null, 4, null, timestamp '2024-07-03 11:00:00'),
    -- 沙坪坝区 2023-12 missing (DQ01)
    ('渝北区', '500112', date '2024-06-01', 3, 732000, 10500, 'districts/渝北区_2024-06.csv', null, 4, null, timestamp '2024-07-05 11:00:00'),
    -- 两江新区 2024-06 is ten times its enterprises' 218000 (DQ02)
    ('两江新区', '5001A1', date '2024-06-01', 2, 2180000, 1800, 'districts/两江新区_2024-06.csv', null, 4, null, timestamp '2024-07-05 11:00:00'),
    ('沙坪坝区', '500106', date '2024-06-01', 1, 25000, 500, 'districts/沙坪坝区_2024-06.csv', null, 4, null, timestamp '2024-07-05 11:00:00');

insert into raw.bureau values
    (date '2023-12-01', '计算机、通信和其他电子设备制造业', '39', 1900000, 5.2, 'bureau/统计局_2023-12.xlsx', 'Sheet1', 6, null, timestamp '2024-07-03 12:00:00'),
    (date '2023-12-01', '电子计算机整机制造', '3911', 1400000, 3.0, 'bureau/统计局_2023-12.xlsx', 'Sheet1', 7, null, timestamp '2024-07-03 12:00:00'),
    (date '2024-06-01', '计算机、通信和其他电子设备制造业', '39', 1000000, 3.1, 'bureau/统计局_2024-06.xlsx', 'Sheet1', 6, null, timestamp '2024-07-05 12:00:00');

-- a file's sha256 stands in as the sha256 of its path
update raw.registry set file_sha256 = sha256(source_file);
update raw.filings set file_sha256 = sha256(source_file);
update raw.surveys set file_sha256 = sha256(source_file);
update raw.district_submissions set file_sha256 = sha256(source_file);
update raw.bureau set file_sha256 = sha256(source_file);

insert into raw.ingest_ledger by name
select
    file_sha256,
    source_file,
    kind,
    'ingested' as status,
    null as reason,
    periods,
    districts,
    count(*) as rows_read,
    count(*) as rows_kept,
    min(ingested_at) as first_seen_at,
    'fixture' as run_id,
    min(ingested_at) as status_changed_at
from (
    select file_sha256, source_file, 'registry' as kind, null as periods, null as districts, ingested_at from raw.registry
    union all
    select file_sha256, source_file, 'filings', strftime(period, '%Y-%m'), null, ingested_at from raw.filings
    union all
    select file_sha256, source_file, 'surveys', null, null, ingested_at from raw.surveys
    union all
    select file_sha256, source_file, 'districts', strftime(period, '%Y-%m'), district_code, ingested_at from raw.district_submissions
    union all
    select file_sha256, source_file, 'bureau', strftime(period, '%Y-%m'), null, ingested_at from raw.bureau
) as ingested_rows
group by file_sha256, source_file, kind, periods, districts;

insert into raw.ingest_ledger (
    file_sha256, source_file, kind, status, reason, periods, districts, rows_read, rows_kept, first_seen_at, run_id
) values
    (sha256('filings/坏文件.xlsx'), 'filings/坏文件.xlsx', 'filings', 'rejected', '缺少必需列：统一社会信用代码', null, null, 0, 0, timestamp '2024-07-05 09:00:00', 'fixture');

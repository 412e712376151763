// Reads a Parquet file with two independent readers and prints what each saw as JSON:
// { duckdb: { types: {column: type}, rows: [...] }, hyparquet: { rows: [...], metadata: {...} } }.
// Values are normalised for comparison, nested ones too: integers and timestamps as strings of integers (microseconds for
// timestamps), doubles as numbers, booleans, strings and nulls as they are.
// usage: node parquet-read.mjs <file.parquet>
import { readFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';

const path = process.argv[2];

function normalise(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return (BigInt(value.getTime()) * 1000n).toString();
  // Nested values (structs, lists, maps: a Delta checkpoint's columns) are normalised the same way.
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, normalise(v)]));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

async function duck() {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const escaped = path.replaceAll("'", "''");
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${escaped}')`);
  const types = Object.fromEntries(described.getRowObjectsJS().map((r) => [r.column_name, r.column_type]));
  // Timestamps as epoch microseconds, so both readers can be compared exactly.
  const columns = Object.entries(types)
    .map(([name, type]) => (type.startsWith('TIMESTAMP') ? `epoch_us("${name}") AS "${name}"` : `"${name}"`))
    .join(', ');
  const result = await connection.runAndReadAll(`SELECT ${columns} FROM read_parquet('${escaped}')`);
  const rows = result.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalise(v)])));
  return { types, rows };
}

async function hyp() {
  const buffer = await readFile(path);
  const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const rows = (await parquetReadObjects({ file, utf8: true })).map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalise(v)])));
  const metadata = parquetMetadata(file);
  return { rows, numRows: Number(metadata.num_rows), rowGroups: metadata.row_groups.length, createdBy: metadata.created_by };
}

const [duckdb, hyparquet] = await Promise.all([duck(), hyp()]);
process.stdout.write(JSON.stringify({ duckdb, hyparquet }));

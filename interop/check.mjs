// Reads enisim result tables with readers enisim did not write, and prints the answers as
// JSON for interop_test.go to compare with the Go summary:
//   node check.mjs DOCS.md ARROW_DIR PARQUET_DIR HIVE_DIR
// - apache-arrow reads every ARROW_DIR/*.arrow file (uncompressed Arrow IPC);
// - DuckDB runs every query documented in DOCS.md (```sql blocks starting "-- query: NAME")
//   over PARQUET_DIR (flat layout) and HIVE_DIR (Hive layout, two replications).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';

const [docsPath, arrowDir, parquetDir, hiveDir] = process.argv.slice(2);
const TABLES = ['runs', 'eni_samples', 'subnet_samples', 'state_changes', 'operations',
  'eni_events', 'intervals', 'invocation_errors', 'invocations'];

function readArrow(dir) {
  const out = { tables: {}, peak_enis: {}, invocations: 0 };
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.arrow')).sort()) {
    const t = tableFromIPC(readFileSync(join(dir, f)));
    out.tables[f.replace(/\.arrow$/, '')] = { Rows: t.numRows, Columns: t.schema.fields.map((x) => x.name) };
  }
  const eni = tableFromIPC(readFileSync(join(dir, 'eni_samples.arrow')));
  const acct = eni.getChild('account'), vpc = eni.getChild('vpc'), n = eni.getChild('vpc_enis');
  for (let i = 0; i < eni.numRows; i++) {
    const k = `${acct.get(i)}/${vpc.get(i)}`;
    const v = Number(n.get(i)); // int64 arrives as BigInt
    if (!(k in out.peak_enis) || v > out.peak_enis[k]) out.peak_enis[k] = v;
  }
  const iv = tableFromIPC(readFileSync(join(dir, 'intervals.arrow'))).getChild('invocations');
  for (let i = 0; i < iv.length; i++) out.invocations += Number(iv.get(i));
  return out;
}

function documentedQueries(path) {
  const md = readFileSync(path, 'utf8');
  const qs = [];
  for (const m of md.matchAll(/```sql\n-- query: (\w+)\n([\s\S]*?)```/g)) qs.push({ name: m[1], sql: m[2] });
  if (qs.length === 0) throw new Error(`${path}: no "-- query:" blocks`);
  return qs;
}

async function runQueries(dir, hive, queries) {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  for (const t of TABLES) {
    // The documented way to open each layout (docs/results.md, "Opening the tables").
    const src = hive
      ? `read_parquet('${dir}/${t}/**/*.parquet', hive_partitioning = false)`
      : `read_parquet('${dir}/${t}.parquet')`;
    if (hive ? existsSync(join(dir, t)) : existsSync(join(dir, `${t}.parquet`))) {
      await conn.run(`CREATE VIEW ${t} AS SELECT * FROM ${src}`);
    }
  }
  const out = {};
  for (const q of queries) {
    try {
      out[q.name] = (await conn.runAndReadAll(q.sql)).getRowObjectsJson();
    } catch (e) {
      throw new Error(`query ${q.name} on ${dir}: ${e.message}`);
    }
  }
  conn.closeSync();
  db.closeSync();
  return out;
}

const queries = documentedQueries(docsPath);
const result = {
  arrow: readArrow(arrowDir),
  parquet: await runQueries(parquetDir, false, queries),
  hive: await runQueries(hiveDir, true, queries),
};
process.stdout.write(JSON.stringify(result));

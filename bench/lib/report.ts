// Formatting and the machine header every bench prints first (the figures mean little without it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import { postgresSettings, postgresVersion } from './postgres.ts';

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
export const ms = (n: number): string => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : 'n/a');
export const ratio = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

export const pct = (share: number): string => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : 'n/a');

/** The whole machine's CPU time (all cores, in clock ticks) from /proc/stat; null where there is none. */
export interface MachineCpu {
  busy: number;
  total: number;
}
export function machineCpu(): MachineCpu | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // idle + iowait are the time no process wanted a core; steal (a busy host) counts as busy.
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return null;
  }
}
/**
 * Share of the machine's CPU time that was busy between two readings (0–1; NaN without /proc).
 * Tells a run limited by CPU (near 100%) from one limited by waiting (commits, round trips).
 */
export function busyShare(before: MachineCpu | null, after: MachineCpu | null): number {
  if (before === null || after === null || after.total <= before.total) return Number.NaN;
  return (after.busy - before.busy) / (after.total - before.total);
}

/** The machine is shared: the 1-minute load average shows how busy it was when a phase began. */
export const load1 = (): string => `load avg ${loadavg()[0]?.toFixed(2) ?? '?'}`;

export function heading(text: string): void {
  console.log(`\n== ${text}   [${load1()}]`);
}

export function envSeconds(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 120) throw new Error(`${name} must be a number of seconds in (0, 120], got "${raw}"`);
  return n;
}

/** A whole number from the environment, within [min, max]; `def` when unset or blank. */
export function envInt(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number in [${min}, ${max}], got "${raw}"`);
  return n;
}

export async function printMachine(bench: string): Promise<void> {
  let pgbench = 'pgbench not found';
  try {
    pgbench = execFileSync('pgbench', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as missing; runPgbench will fail with the real error
  }
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  console.log(`${bench} — ${new Date().toISOString()}`);
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), ` +
      `RAM ${gib(totalmem())} (${gib(freemem())} free), ${load1()}; node ${process.version}; PostgreSQL ${await postgresVersion()} (${await postgresSettings()}); ${pgbench}`,
  );
}

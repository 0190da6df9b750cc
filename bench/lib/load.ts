// HTTP load with autocannon (closed loop: each connection sends its next request when the last
// one is answered). Latencies are kept per request as floats, so p50/p99 have sub-millisecond
// resolution (autocannon's own histogram rounds to whole milliseconds).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { busyShare, machineCpu, percentile } from './report.ts';

// autocannon ships no types; this is the part of its API used here.
interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest, context: Record<string, unknown>) => AcRequest;
}
interface AcOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  overallRate?: number;
  method: string;
  headers: Record<string, string>;
  requests: AcRequest[];
}
interface AcResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AcInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): unknown;
}
type Autocannon = (opts: AcOptions, cb: (err: Error | null, result: AcResult) => void) => AcInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadOptions {
  baseUrl: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** A fresh body for every request (e.g. a unique email). */
  body?: () => string;
  /** A fresh path and body for every request (e.g. organizations in turn); instead of `body`. */
  request?: () => { path: string; body: string };
  /** Requests per second over all connections (autocannon's overallRate); as fast as answered when omitted. */
  rate?: number;
  /** The server's CPU clock, to report its CPU time per request (NaN when not given). */
  serverCpuSeconds?: () => Promise<number>;
}

export interface LoadResult {
  connections: number;
  seconds: number;
  /** All answered requests. */
  requests: number;
  /** 2xx answers per second of wall time. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  /** Socket errors, timeouts included. */
  errors: number;
  timeouts: number;
  status5xx: number;
  statusCodes: Record<string, number>;
  /** CPU the server process used per answered request, in ms (user + system). */
  serverCpuMsPerRequest: number;
  /** CPU the load generator itself (this process) used per answered request, in ms. */
  clientCpuMsPerRequest: number;
  /** Share of the whole machine's CPU that was busy during the run (0–1; NaN without /proc). */
  machineBusy: number;
}

/** The 2xx answers of a run. */
export const ok2xx = (r: LoadResult): number => Object.entries(r.statusCodes).reduce((n, [code, k]) => (code.startsWith('2') ? n + k : n), 0);

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const { body, request: next } = opts;
  const request: AcRequest = next
    ? { method: opts.method, path: opts.path, setupRequest: (req) => ({ ...req, ...next() }) }
    : body
      ? { method: opts.method, path: opts.path, setupRequest: (req) => ({ ...req, body: body() }) }
      : { method: opts.method, path: opts.path };
  const serverCpu0 = opts.serverCpuSeconds ? await opts.serverCpuSeconds() : Number.NaN;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const machine0 = machineCpu();
  const result = await new Promise<AcResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.baseUrl,
        connections: opts.connections,
        duration: opts.seconds,
        timeout: 10,
        ...(opts.rate !== undefined ? { overallRate: opts.rate } : {}),
        method: opts.method,
        headers: opts.headers ?? {},
        requests: [request],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => void latencies.push(ms));
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const machineBusy = busyShare(machine0, machineCpu());
  const serverCpu = opts.serverCpuSeconds ? (await opts.serverCpuSeconds()) - serverCpu0 : Number.NaN;
  latencies.sort((a, b) => a - b);
  return {
    connections: opts.connections,
    seconds,
    requests: latencies.length,
    rps: result['2xx'] / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    status5xx: result['5xx'],
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, Number(s.count)])),
    serverCpuMsPerRequest: (serverCpu * 1000) / Math.max(1, latencies.length),
    clientCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length),
    machineBusy,
  };
}

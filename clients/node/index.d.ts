// Types of the r53sim package (index.js).

export interface StartOptions {
  /** A config file or directory path, YAML text (anything with a newline), or an object. */
  config?: string | object;
  /** Extra `r53sim serve` options, such as "--manual-clock" or "--time-scale", "0.1". */
  args?: string[];
  /** Overrides the search: R53SIM_BIN, then r53sim on PATH, then build/server/r53sim above. */
  binary?: string;
  /** Holds the config, ready file and log; a temporary directory (removed at stop) if unset. */
  dir?: string;
  /** Milliseconds to wait for the ready file; 20000 if unset. */
  startupTimeout?: number;
}

/** What stop()s a server when a test ends: a node:test TestContext. */
export interface TestContextLike {
  after(fn: () => unknown): void;
}

export interface DnsRecord {
  name: string;
  type: string;
  ttl: number;
  /** As dig prints it: "192.0.2.1", "10 mail.example.com.". */
  value: string;
}

export interface DnsAnswer {
  rcode: string;
  records: DnsRecord[];
  authority: DnsRecord[];
  /** The asked type's values in the answer section, sorted. */
  values: string[];
}

export interface Observation {
  region: string;
  checker: number;
  checker_ip: string;
  status: string;
  checked_at: number;
  healthy: boolean;
  last_probe_ok: boolean;
  consecutive_successes: number;
  consecutive_failures: number;
}

export interface HealthStatus {
  id: string;
  type: string;
  status: 'healthy' | 'unhealthy';
  healthy: boolean;
  measured_healthy: boolean;
  forced: 'healthy' | 'unhealthy' | null;
  percentage_healthy: number;
  transitions: number;
  has_data: boolean;
  state?: string;
  last_failure: Observation | null;
  observations?: Observation[];
}

export interface WaitResult {
  matched: boolean;
  name: string;
  type: string;
  client: string;
  rcode: string;
  /** The asked type's values, as compared with the expected set. */
  values: string[];
  /** Every answer line, "owner TTL IN TYPE value". */
  answer: string[];
}

export interface Explanation {
  name: string;
  type: string;
  client: string;
  rcode: string;
  authoritative: boolean;
  answer: string[];
  authority: string[];
  additional: string[];
  trace: string[];
}

export interface Clock {
  mode: 'real' | 'scaled' | 'manual';
  /** Route 53 seconds since the clock started. */
  now: number;
  scale: number;
}

export interface Zone {
  id: string;
  name: string;
  record_set_count: number;
}

export interface ApiEndpoint {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Every checker of a region ("us-east-1"), or one of them. */
export type Checker = string | { region: string; index?: number };
export type HealthState = 'healthy' | 'unhealthy' | 'auto';

export class R53Sim {
  static start(options?: StartOptions, t?: TestContextLike): Promise<R53Sim>;
  /** `dns`: "host:port" of UDP (and TCP); `dnsTcp`: TCP's "host:port" when it differs (a container). */
  static attach(adminUrl: string, options?: { dns?: string; dnsTcp?: string }): Promise<R53Sim>;
  /** Exit code (0 for a clean stop) or the signal that ended it; null for an attached server. */
  stop(): Promise<number | string | null>;
  logs(): string;
  readonly pid: number | null;
  readonly adminUrl: string;
  readonly dnsAddress: { host: string; port: number };
  readonly apiEndpoint: ApiEndpoint;
  resolve(name: string, type?: string, options?: { client?: string; tcp?: boolean }): Promise<DnsAnswer>;
  explain(name: string, type?: string, options?: { client?: string }): Promise<Explanation>;
  health(check: string): Promise<HealthStatus>;
  setHealth(check: string, state: HealthState | 'timeout', options?: { checkers?: Checker[] }): Promise<HealthStatus>;
  /** timeout in milliseconds. */
  waitForHealth(check: string, state: 'healthy' | 'unhealthy', options?: { timeout?: number }): Promise<HealthStatus>;
  /** timeout in milliseconds. */
  waitForAnswer(name: string, type: string, expected: Iterable<string>,
    options?: { timeout?: number; client?: string }): Promise<WaitResult>;
  clock(): Promise<Clock>;
  /** Manual clock seconds. */
  advance(seconds: number): Promise<Clock>;
  zones(): Promise<Zone[]>;
  applyChangeBatch(zone: string, batch: object | string): Promise<{ id: string; status: string }>;
  loadZone(name: string, recordSets?: object[]): Promise<string>;
}

export class R53SimError extends Error {}
export class BinaryNotFoundError extends R53SimError {}
export class NotStartedError extends R53SimError {}
export class StartError extends R53SimError {
  exitCode: number | string | null;
  log: string;
}
export class ApiError extends R53SimError {
  status: number;
  code: string;
}
export class WaitTimeoutError extends R53SimError {
  last: Record<string, unknown>;
}
export function findBinary(explicit?: string): string;

'use strict';
// r53sim as a test fixture: the real r53sim binary on free loopback ports, stopped by pid, driven
// through its admin API. No dependencies beyond Node itself.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const dns = require('./lib/dns');
const route53 = require('./lib/route53');

class R53SimError extends Error {
  constructor(message) {
    super(message);
    this.name = this.constructor.name;
  }
}
class BinaryNotFoundError extends R53SimError {}
class NotStartedError extends R53SimError {
  constructor() {
    super('r53sim is not running: start it first (R53Sim.start)');
  }
}
// The server exited, or wrote no ready file, before it served.
class StartError extends R53SimError {
  constructor(reason, exitCode, log) {
    super(`r53sim ${reason}\n--- r53sim log ---\n${log}`);
    this.exitCode = exitCode;
    this.log = log;
  }
}
// An error answer of the admin API or the Route 53 API.
class ApiError extends R53SimError {
  constructor(status, code, message) {
    super(`${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}
// A wait that ran out of time; `last` is what the server saw last.
class WaitTimeoutError extends R53SimError {
  constructor(what, last) {
    super(`timed out: ${what} (last: ${JSON.stringify(last)})`);
    this.last = last;
  }
}

function executable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// R53SIM_BIN, then r53sim on PATH, then build/server/r53sim in the working directory or above it
// (or above this package, when it is used from a checkout).
function findBinary(explicit) {
  for (const [origin, value] of [['binary', explicit], ['R53SIM_BIN', process.env.R53SIM_BIN]]) {
    if (value) {
      if (!executable(value)) throw new BinaryNotFoundError(`${origin}=${value} is not an executable file`);
      return path.resolve(value);
    }
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'r53sim'))) return path.join(dir, 'r53sim');
  }
  const looked = [];
  for (const base of [process.cwd(), __dirname]) {
    for (let dir = base; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'build', 'server', 'r53sim');
      looked.push(candidate);
      if (executable(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new BinaryNotFoundError('no r53sim binary: set R53SIM_BIN, put r53sim on PATH, or build it ' +
    `(looked in ${[...new Set(looked)].join(', ')})`);
}

const HEALTH_STATES = ['healthy', 'unhealthy', 'auto'];

function splitHostPort(text) {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(text.slice(at + 1)) };
}

class R53Sim {
  constructor() {
    this._admin = null;
    this._dns = null;
    this._dnsTcpPort = null;  // when TCP is served on another port than UDP (a container)
    this._child = null;
    this._exited = null;
    this._dir = null;
    this._ownDir = false;
    this._logPath = null;
  }

  // Runs the binary. options.config: a path (file or directory), YAML text (anything with a
  // newline) or an object (written as JSON, which YAML reads); options.args: extra `r53sim serve`
  // options. Pass a node:test context as `t` to stop the server when that test ends (an unclean
  // exit then fails the test).
  static async start(options = {}, t = undefined) {
    const sim = new R53Sim();
    await sim._launch(options);
    if (t) {
      t.after(async () => {
        const log = sim.logs();
        const code = await sim.stop();
        if (code !== 0) throw new R53SimError(`r53sim exited with ${code}\n--- r53sim log ---\n${log}`);
      });
    }
    return sim;
  }

  // A server already running (a container): its admin URL and, unless it is the admin host on
  // port 53, its DNS address "host:port" (UDP, and TCP unless `dnsTcp` "host:port" says where).
  static async attach(adminUrl, { dns: dnsAddress, dnsTcp } = {}) {
    const url = new URL(adminUrl.includes('://') ? adminUrl : `http://${adminUrl}`);
    const sim = new R53Sim();
    sim._admin = url.origin;
    sim._dns = dnsAddress ? splitHostPort(dnsAddress) : { host: url.hostname.replace(/^\[|\]$/g, ''), port: 53 };
    if (dnsTcp) sim._dnsTcpPort = splitHostPort(dnsTcp).port;
    await sim._request('GET', '/healthz');
    return sim;
  }

  async _launch({ config, args = [], binary, dir, startupTimeout = 20000 }) {
    const file = findBinary(binary);
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      this._dir = dir;
    } else {
      this._dir = fs.mkdtempSync(path.join(os.tmpdir(), 'r53sim-'));
      this._ownDir = true;
    }
    let configPath;
    try {
      configPath = this._configPath(config);
    } catch (e) {
      this._removeDir();
      throw e;
    }
    const ready = path.join(this._dir, 'r53sim-ready.json');
    fs.rmSync(ready, { force: true });
    this._logPath = path.join(this._dir, 'r53sim.log');
    const log = fs.openSync(this._logPath, 'w');
    const child = spawn(file, ['serve', '-c', configPath, '--dns', '127.0.0.1:0', '--admin',
      '127.0.0.1:0', '--ready-file', ready, ...args], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this._child = child;
    this._exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    let exitCode;
    this._exited.then((code) => { exitCode = code; });
    const spawnError = new Promise((resolve) => child.on('error', resolve));
    const deadline = Date.now() + startupTimeout;
    for (;;) {
      const failed = await Promise.race([spawnError, sleep(10, null)]);
      if (failed) {
        this._child = null;
        this._removeDir();
        throw new StartError(`did not start: ${failed.message}`, null, '');
      }
      if (exitCode !== undefined) {
        const text = this.logs();
        this._child = null;
        this._removeDir();
        throw new StartError(`exited with ${exitCode} before serving`, exitCode, text);
      }
      let addresses;
      try {
        addresses = JSON.parse(fs.readFileSync(ready, 'utf8'));
      } catch {
        // not written yet
      }
      if (addresses) {
        this._dns = splitHostPort(addresses.dns);
        this._admin = `http://${addresses.admin}`;
        return;
      }
      if (Date.now() > deadline) {
        const text = this.logs();
        await this.stop();
        throw new StartError(`wrote no ready file within ${startupTimeout} ms`, null, text);
      }
    }
  }

  _configPath(config) {
    if (config === undefined || config === null) config = {};
    if (typeof config === 'object') config = JSON.stringify(config);
    else if (!config.includes('\n')) {
      if (!fs.existsSync(config)) throw new R53SimError(`no config file ${config}`);
      return path.resolve(config);
    }
    const file = path.join(this._dir, 'r53sim.yaml');
    fs.writeFileSync(file, config);
    return file;
  }

  _removeDir() {
    if (this._ownDir) fs.rmSync(this._dir, { recursive: true, force: true });
    this._ownDir = false;
  }

  // Stops a server this object started (SIGTERM, by pid) and resolves to its exit code (0 for a
  // clean stop) or the signal that ended it; an attached server is left running (null).
  async stop() {
    this._admin = null;
    const child = this._child;
    if (!child) return null;
    this._child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await Promise.race([this._exited, sleep(10000, 'timeout', { ref: false })]);
    let result = code;
    if (code === 'timeout') {
      child.kill('SIGKILL');
      result = await this._exited;
    }
    this._removeDir();
    return result;
  }

  // What the server has logged so far.
  logs() {
    try {
      return this._logPath ? fs.readFileSync(this._logPath, 'utf8') : '';
    } catch {
      return '';
    }
  }

  get pid() { return this._child ? this._child.pid : null; }
  get adminUrl() { this._needStarted(); return this._admin; }
  // { host, port } of the DNS listener, the same port for UDP and TCP.
  get dnsAddress() { this._needStarted(); return { ...this._dns }; }
  // What an AWS SDK needs for the Route 53 REST API (any credentials are accepted).
  get apiEndpoint() {
    return { url: this.adminUrl, region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  }

  // Asks the DNS listener (UDP, TCP if truncated or asked); `client`, an address or prefix, is
  // sent as an EDNS Client Subnet. Resolves to { rcode, records, authority, values }.
  async resolve(name, type = 'A', { client, tcp = false } = {}) {
    const { host, port } = this.dnsAddress;
    try {
      return await dns.query(host, port, name, type, { client, tcp, tcpPort: this._dnsTcpPort });
    } catch (e) {
      if (e instanceof TypeError) throw e;
      throw new R53SimError(`no DNS answer from ${host}:${port} for ${name} ${type}: ${e.message}`);
    }
  }

  // The routing trace: policy, candidates, health, alias recursion, the answer.
  async explain(name, type = 'A', { client } = {}) {
    const query = new URLSearchParams({ name, type, ...(client ? { client } : {}) });
    return this._request('GET', `/v1/explain?${query}`);
  }

  async health(check) {
    return this._request('GET', `/v1/health-checks/${encodeURIComponent(check)}`);
  }

  // Forces a check 'healthy' or 'unhealthy', or back to its probes with 'auto'. With `checkers`
  // (region names, or { region, index }), forces what those virtual checkers' probes report
  // instead ('timeout' too), and the fleet rule decides; on the manual clock that shows after the
  // next advance().
  async setHealth(check, state, { checkers } = {}) {
    const base = `/v1/health-checks/${encodeURIComponent(check)}`;
    if (!checkers) {
      if (!HEALTH_STATES.includes(state)) throw new TypeError(`state must be one of ${HEALTH_STATES}, not ${state}`);
      if (state === 'auto') return this._request('DELETE', `${base}/override`);
      return this._request('PUT', `${base}/override`, { status: state });
    }
    if (![...HEALTH_STATES, 'timeout'].includes(state)) {
      throw new TypeError(`a checker's state is healthy, unhealthy, timeout or auto, not ${state}`);
    }
    let reply;
    for (const checker of checkers) {
      const { region, index } = typeof checker === 'string' ? { region: checker } : checker;
      if (state === 'auto') {
        const query = new URLSearchParams({ region, ...(index !== undefined ? { checker: String(index) } : {}) });
        reply = await this._request('DELETE', `${base}/inject?${query}`);
      } else {
        reply = await this._request('PUT', `${base}/inject`,
          { region, result: state, ...(index !== undefined ? { checker: index } : {}) });
      }
    }
    return reply;
  }

  // Resolves once the check's aggregate status is `state` ('healthy' or 'unhealthy').
  async waitForHealth(check, state, { timeout = 10000 } = {}) {
    if (state !== 'healthy' && state !== 'unhealthy') throw new TypeError(`state must be healthy or unhealthy, not ${state}`);
    const query = new URLSearchParams({ check, status: state, timeout: `${Math.round(timeout)}ms` });
    return this._wait('GET', `/v1/wait?${query}`, undefined, timeout, `${check} was not ${state}`);
  }

  // Resolves once the routing core answers exactly `expected` (a set of values; [] for no value
  // of that type); rejects with a WaitTimeoutError holding the last answer after `timeout` ms.
  async waitForAnswer(name, type, expected, { timeout = 10000, client } = {}) {
    const body = { name, type, expected: [...expected], timeout: timeout / 1000, ...(client ? { client } : {}) };
    return this._wait('POST', '/v1/wait', body, timeout,
      `${name} ${type} was not answered ${JSON.stringify([...expected].sort())} within ${timeout} ms`);
  }

  // { mode: 'real'|'scaled'|'manual', now: Route 53 seconds since the clock started, scale }.
  async clock() {
    return this._request('GET', '/v1/clock');
  }

  // Manual clock only (--manual-clock): runs every probe due in the span and resolves once their
  // results are published.
  async advance(seconds) {
    await this._request('POST', '/v1/clock/advance', { seconds }, 120000);
    return this.clock();
  }

  // [{ id, name, record_set_count }] of every zone served.
  async zones() {
    return (await this._request('GET', '/v1/zones')).zones;
  }

  // ChangeResourceRecordSets on a zone (its id or name): `batch` in AWS's JSON shape, as an
  // object or JSON text. Served before this resolves; resolves to { id, status }.
  async applyChangeBatch(zone, batch) {
    const object = typeof batch === 'string' ? JSON.parse(batch) : batch;
    const id = await this._zoneId(zone);
    const xml = await this._route53('POST', `/2013-04-01/hostedzone/${id}/rrset`, route53.changeBatchRequest(object));
    return { id: route53.findText(xml, 'Id'), status: route53.findText(xml, 'Status') };
  }

  // Creates the hosted zone `name` unless it is served, UPSERTs `recordSets` (ResourceRecordSet
  // objects), and resolves to the zone's id.
  async loadZone(name, recordSets = []) {
    let id;
    try {
      id = await this._zoneId(name);
    } catch (e) {
      if (!(e instanceof NoSuchZone)) throw e;
      const xml = await this._route53('POST', '/2013-04-01/hostedzone',
        route53.createZoneRequest(name, crypto.randomUUID()));
      id = route53.findText(xml, 'Id').split('/').pop();
    }
    if (recordSets.length) {
      await this.applyChangeBatch(id, { Changes: recordSets.map((r) => ({ Action: 'UPSERT', ResourceRecordSet: r })) });
    }
    return id;
  }

  async _zoneId(zone) {
    const wanted = zone.split('/').pop();
    const asName = `${wanted.toLowerCase().replace(/\.$/, '')}.`;
    const found = (await this.zones()).find((z) => z.id === wanted || z.name === asName);
    if (!found) throw new NoSuchZone(`no hosted zone ${JSON.stringify(zone)} is served`);
    return found.id;
  }

  _needStarted() {
    if (!this._admin) throw new NotStartedError();
  }

  async _send(method, urlPath, body, contentType, timeout) {
    this._needStarted();
    let response;
    try {
      response = await fetch(this._admin + urlPath, {
        method,
        body,
        headers: body === undefined ? {} : { 'content-type': contentType },
        signal: AbortSignal.timeout(timeout),
      });
    } catch (e) {
      throw new R53SimError(`${method} ${this._admin}${urlPath}: ${e.cause ? e.cause.message : e.message}`);
    }
    return { status: response.status, text: await response.text() };
  }

  async _call(method, urlPath, body, timeout) {
    const json = body === undefined ? undefined : JSON.stringify(body);
    const { status, text } = await this._send(method, urlPath, json, 'application/json', timeout);
    let reply;
    try {
      reply = text.trim() ? JSON.parse(text) : {};
    } catch {
      reply = { error: { code: 'NotJson', message: text } };
    }
    return { status, reply };
  }

  async _request(method, urlPath, body, timeout = 30000) {
    const { status, reply } = await this._call(method, urlPath, body, timeout);
    if (status >= 400) throw apiError(status, reply);
    return reply;
  }

  async _wait(method, urlPath, body, timeout, what) {
    const { status, reply } = await this._call(method, urlPath, body, timeout + 10000);
    if (status === 408) throw new WaitTimeoutError(what, reply);
    if (status >= 400) throw apiError(status, reply);
    return reply;
  }

  async _route53(method, urlPath, xml) {
    const { status, text } = await this._send(method, urlPath, xml, 'text/xml', 30000);
    if (status >= 400) {
      throw new ApiError(status, route53.findText(text, 'Code') || 'Unknown', route53.findText(text, 'Message') || text);
    }
    return text;
  }
}

class NoSuchZone extends R53SimError {}

function apiError(status, reply) {
  const error = (reply && reply.error) || {};
  return new ApiError(status, error.code || 'Unknown', error.message || JSON.stringify(reply));
}

module.exports = {
  R53Sim, R53SimError, BinaryNotFoundError, NotStartedError, StartError, ApiError, WaitTimeoutError,
  findBinary,
};

'use strict';
// Every operation of the package against the real binary (R53SIM_BIN, else found as a user's
// would be), each with the way it fails.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const {
  R53Sim, R53SimError, ApiError, BinaryNotFoundError, NotStartedError, StartError, WaitTimeoutError,
  findBinary,
} = require('..');

let backend;
let config;

before(async () => {
  backend = http.createServer((req, res) => {
    res.statusCode = req.url === '/health' ? 200 : 404;
    res.end();
  });
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  config = `
hosted_zones:
  - Name: example.com
    Id: Z1CLIENTTEST
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 60, ResourceRecords: [{Value: 192.0.2.10}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         TTL: 60, ResourceRecords: [{Value: 198.51.100.20}]}
      - {Name: geo.example.com, Type: A, SetIdentifier: europe, GeoLocation: {ContinentCode: EU},
         TTL: 60, ResourceRecords: [{Value: 198.51.100.31}]}
      - {Name: geo.example.com, Type: A, SetIdentifier: default, GeoLocation: {CountryCode: "*"},
         TTL: 60, ResourceRecords: [{Value: 192.0.2.31}]}
      - {Name: example.com, Type: MX, TTL: 300, ResourceRecords: [{Value: "10 mail.example.com."}]}
      - {Name: example.com, Type: TXT, TTL: 300, ResourceRecords: [{Value: '"v=spf1 -all"'}]}
      - {Name: v6.example.com, Type: AAAA, TTL: 60, ResourceRecords: [{Value: "2001:db8::10"}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: ${backend.address().port},
                        ResourcePath: /health, RequestInterval: 30, FailureThreshold: 1,
                        Regions: [us-east-1, us-west-1, eu-west-1]}
local:
  client_locations:
    - {cidr: 198.51.100.0/24, continent: EU, country: DE}
`;
});

after(() => backend.close());

const manual = (t) => R53Sim.start({ config, args: ['--manual-clock'] }, t);

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'r53sim-node-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// --- start, stop, attach, the binary -----------------------------------------------------------

test('start serves on free loopback ports and stops cleanly', async (t) => {
  const file = path.join(tempDir(t), 'r53sim.yaml');
  fs.writeFileSync(file, config);
  const sim = await R53Sim.start({ config: file });
  assert.equal(sim.dnsAddress.host, '127.0.0.1');
  assert.ok(sim.dnsAddress.port > 0);
  assert.match(sim.adminUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual((await sim.resolve('app.example.com')).values, ['192.0.2.10']);
  assert.equal(await sim.stop(), 0);
  await assert.rejects(sim.resolve('app.example.com'), NotStartedError);
  assert.throws(() => sim.adminUrl, NotStartedError);
});

test('a server not started fails every call', async () => {
  const sim = new R53Sim();
  await assert.rejects(sim.setHealth('hc-primary', 'unhealthy'), NotStartedError);
  await assert.rejects(sim.waitForAnswer('app.example.com', 'A', []), NotStartedError);
  await assert.rejects(sim.clock(), NotStartedError);
});

test('an invalid config fails start with the server\'s own words', async () => {
  const error = await R53Sim.start({ config: 'hosted_zones:\n  - Name: example.com\n    Bogus: 1\n' })
    .then(() => null, (e) => e);
  assert.ok(error instanceof StartError, String(error));
  assert.equal(error.exitCode, 1);
  assert.match(error.log, /Bogus/);
  await assert.rejects(R53Sim.start({ config: '/nonexistent.yaml' }), R53SimError);
});

test('an object config is served', async (t) => {
  const sim = await R53Sim.start({ config: { hosted_zones: [{ Name: 'obj.test', ResourceRecordSets: [
    { Name: 'a.obj.test', Type: 'A', TTL: 5, ResourceRecords: [{ Value: '192.0.2.5' }] }] }] } }, t);
  assert.deepEqual((await sim.resolve('a.obj.test')).records,
    [{ name: 'a.obj.test.', type: 'A', ttl: 5, value: '192.0.2.5' }]);
});

test('the binary is found from R53SIM_BIN, then PATH, then the build tree', async (t) => {
  const real = process.env.R53SIM_BIN;
  const saved = { R53SIM_BIN: real, PATH: process.env.PATH, cwd: process.cwd() };
  t.after(() => {
    process.env.R53SIM_BIN = saved.R53SIM_BIN;
    process.env.PATH = saved.PATH;
    process.chdir(saved.cwd);
  });
  assert.equal(findBinary(), path.resolve(real));
  const dir = tempDir(t);
  process.env.R53SIM_BIN = path.join(dir, 'missing');
  await assert.rejects(R53Sim.start({ config: {} }), BinaryNotFoundError);
  delete process.env.R53SIM_BIN;
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.symlinkSync(real, path.join(dir, 'bin', 'r53sim'));
  process.env.PATH = `${path.join(dir, 'bin')}:/usr/bin:/bin`;
  assert.equal(findBinary(), path.join(dir, 'bin', 'r53sim'));
  process.env.PATH = '/usr/bin:/bin';
  const tree = path.join(dir, 'checkout');
  fs.mkdirSync(path.join(tree, 'build', 'server'), { recursive: true });
  fs.mkdirSync(path.join(tree, 'tests'));
  fs.symlinkSync(real, path.join(tree, 'build', 'server', 'r53sim'));
  process.chdir(path.join(tree, 'tests'));
  assert.equal(findBinary(), path.join(tree, 'build', 'server', 'r53sim'));
});

test('attach drives a running server and leaves it running', async (t) => {
  const sim = await manual(t);
  const { host, port } = sim.dnsAddress;
  const attached = await R53Sim.attach(sim.adminUrl, { dns: `${host}:${port}` });
  await attached.setHealth('hc-primary', 'unhealthy');
  assert.deepEqual((await attached.resolve('app.example.com')).values, ['198.51.100.20']);
  assert.equal(await attached.stop(), null);
  assert.equal((await sim.clock()).mode, 'manual');

  const free = net.createServer();
  await new Promise((resolve) => free.listen(0, '127.0.0.1', resolve));
  const unused = free.address().port;
  await new Promise((resolve) => free.close(resolve));
  await assert.rejects(R53Sim.attach(`http://127.0.0.1:${unused}`), R53SimError);
});

test('a test context stops the server, and a server that died fails the test', async (t) => {
  const hooks = [];
  const context = { after: (fn) => hooks.push(fn) };
  const sim = await R53Sim.start({ config: {} }, context);
  assert.equal(hooks.length, 1);
  process.kill(sim.pid, 'SIGKILL');
  await assert.rejects(hooks[0](), /r53sim exited with SIGKILL/);
  const clean = await R53Sim.start({ config: {} }, context);
  await hooks[1]();
  await assert.rejects(clean.clock(), NotStartedError);
});

// --- DNS ---------------------------------------------------------------------------------------

test('resolve over UDP and TCP and as a client', async (t) => {
  const sim = await manual(t);
  const answer = await sim.resolve('app.example.com', 'A');
  assert.equal(answer.rcode, 'NOERROR');
  assert.deepEqual(answer.records, [{ name: 'app.example.com.', type: 'A', ttl: 60, value: '192.0.2.10' }]);
  assert.deepEqual((await sim.resolve('app.example.com', 'A', { tcp: true })).values, ['192.0.2.10']);
  assert.deepEqual((await sim.resolve('geo.example.com', 'A', { client: '198.51.100.7' })).values, ['198.51.100.31']);
  assert.deepEqual((await sim.resolve('geo.example.com', 'A', { client: '192.0.2.0/24' })).values, ['192.0.2.31']);
  assert.deepEqual((await sim.resolve('example.com', 'MX')).values, ['10 mail.example.com.']);
  assert.deepEqual((await sim.resolve('example.com', 'TXT')).values, ['"v=spf1 -all"']);
  assert.deepEqual((await sim.resolve('v6.example.com', 'AAAA')).values, ['2001:db8::10']);
  const missing = await sim.resolve('nothing.example.com');
  assert.equal(missing.rcode, 'NXDOMAIN');
  assert.deepEqual(missing.values, []);
  assert.equal(missing.authority[0].type, 'SOA');
  assert.equal((await sim.resolve('example.org')).rcode, 'REFUSED');
  await assert.rejects(sim.resolve('app.example.com', 'NOTATYPE'), TypeError);
});

test('explain gives the routing trace', async (t) => {
  const sim = await manual(t);
  const e = await sim.explain('app.example.com', 'A');
  assert.deepEqual(e.answer, ['app.example.com. 60 IN A 192.0.2.10']);
  assert.ok(e.trace.some((step) => step.includes('failover')), e.trace.join('\n'));
  assert.equal((await sim.explain('geo.example.com', 'A', { client: '198.51.100.7' })).client, '198.51.100.7');
  await assert.rejects(sim.explain('app.example.com', 'NOTATYPE'), (err) => err instanceof ApiError && err.status === 400);
});

test('apiEndpoint serves the Route 53 REST API', async (t) => {
  const sim = await manual(t);
  const endpoint = sim.apiEndpoint;
  assert.equal(endpoint.url, sim.adminUrl);
  assert.equal(endpoint.region, 'us-east-1');
  assert.equal(endpoint.credentials.accessKeyId, 'test');
  const response = await fetch(`${endpoint.url}/2013-04-01/hostedzone`);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /<Name>example\.com\.<\/Name>/);
});

// --- health ------------------------------------------------------------------------------------

test('setHealth forces, and auto returns to the probes', async (t) => {
  const sim = await manual(t);
  assert.equal((await sim.setHealth('hc-primary', 'unhealthy')).forced, 'unhealthy');
  assert.deepEqual((await sim.resolve('app.example.com')).values, ['198.51.100.20']);
  assert.equal((await sim.health('hc-primary')).status, 'unhealthy');
  assert.equal((await sim.setHealth('hc-primary', 'auto')).forced, null);
  assert.deepEqual((await sim.resolve('app.example.com')).values, ['192.0.2.10']);
});

test('setHealth of an unknown check fails', async (t) => {
  const sim = await manual(t);
  await assert.rejects(sim.setHealth('hc-nope', 'unhealthy'),
    (e) => e instanceof ApiError && e.status === 404 && e.code === 'NoSuchHealthCheck');
  await assert.rejects(sim.setHealth('hc-primary', 'sideways'), TypeError);
});

test('setHealth per checker lets the fleet rule decide', async (t) => {
  const sim = await manual(t);
  await sim.advance(0);
  // Two of six checkers failing: 67 % healthy, above Route 53's 18 %.
  await sim.setHealth('hc-primary', 'unhealthy', { checkers: ['us-east-1'] });
  await sim.advance(30);
  let status = await sim.health('hc-primary');
  assert.equal(status.status, 'healthy');
  assert.equal(Math.round(status.percentage_healthy), 67);
  await sim.setHealth('hc-primary', 'timeout',
    { checkers: ['us-west-1', { region: 'eu-west-1', index: 0 }, { region: 'eu-west-1', index: 1 }] });
  await sim.advance(30);
  await sim.waitForHealth('hc-primary', 'unhealthy', { timeout: 5000 });
  assert.deepEqual((await sim.resolve('app.example.com')).values, ['198.51.100.20']);
  // One checker back: 1 of 6 is 17 %, still below 18 %.
  await sim.setHealth('hc-primary', 'auto', { checkers: [{ region: 'eu-west-1', index: 1 }] });
  await sim.advance(30);
  assert.equal((await sim.health('hc-primary')).status, 'unhealthy');
  await sim.setHealth('hc-primary', 'auto', { checkers: ['us-east-1', 'us-west-1', 'eu-west-1'] });
  await sim.advance(30);
  status = await sim.waitForHealth('hc-primary', 'healthy', { timeout: 5000 });
  assert.equal(status.status, 'healthy');
  await assert.rejects(sim.setHealth('hc-primary', 'unhealthy', { checkers: ['mars-north-1'] }),
    (e) => e instanceof ApiError && e.status === 404);
});

test('waitForHealth times out, or knows no such check', async (t) => {
  const sim = await manual(t);
  await assert.rejects(sim.waitForHealth('hc-primary', 'unhealthy', { timeout: 200 }),
    (e) => e instanceof WaitTimeoutError && e.last.status === 'healthy');
  await assert.rejects(sim.waitForHealth('hc-nope', 'healthy', { timeout: 200 }),
    (e) => e instanceof ApiError && e.code === 'NoSuchHealthCheck');
});

// --- waiting for answers -----------------------------------------------------------------------

test('waitForAnswer resolves once DNS gives the expected values', async (t) => {
  const sim = await manual(t);
  const result = await sim.waitForAnswer('app.example.com', 'A', ['192.0.2.10'], { timeout: 5000 });
  assert.deepEqual(result.values, ['192.0.2.10']);
  assert.equal(result.rcode, 'NOERROR');
  await sim.setHealth('hc-primary', 'unhealthy');
  assert.deepEqual((await sim.waitForAnswer('app.example.com', 'A', ['198.51.100.20'])).values, ['198.51.100.20']);
  const geo = await sim.waitForAnswer('geo.example.com', 'A', new Set(['198.51.100.31']), { client: '198.51.100.7' });
  assert.equal(geo.client, '198.51.100.7');
});

test('waitForAnswer times out with the last answer', async (t) => {
  const sim = await manual(t);
  await assert.rejects(sim.waitForAnswer('app.example.com', 'A', ['203.0.113.1'], { timeout: 200 }),
    (e) => e instanceof WaitTimeoutError && e.last.values.join() === '192.0.2.10');
});

// --- clock -------------------------------------------------------------------------------------

test('clock and advance', async (t) => {
  const sim = await manual(t);
  assert.deepEqual(await sim.clock(), { mode: 'manual', now: 0, scale: 1 });
  assert.equal((await sim.advance(30)).now, 30);
  assert.deepEqual(await sim.advance(2.5), { mode: 'manual', now: 32.5, scale: 1 });
});

test('advance needs the manual clock', async (t) => {
  const sim = await R53Sim.start({ config, args: ['--time-scale', '0.5'] }, t);
  const clock = await sim.clock();
  assert.equal(clock.mode, 'scaled');
  assert.equal(clock.scale, 0.5);
  await assert.rejects(sim.advance(30), (e) => e instanceof ApiError && e.status === 409 && e.code === 'NotManualClock');
});

// --- records -----------------------------------------------------------------------------------

test('zones and applyChangeBatch', async (t) => {
  const sim = await manual(t);
  assert.deepEqual(await sim.zones(), [{ id: 'Z1CLIENTTEST', name: 'example.com.', record_set_count: 9 }]);
  const rrset = { Name: 'new.example.com', Type: 'A', TTL: 30,
    ResourceRecords: [{ Value: '192.0.2.77' }, { Value: '192.0.2.78' }] };
  const change = await sim.applyChangeBatch('example.com', { Comment: 'new', Changes: [{ Action: 'CREATE', ResourceRecordSet: rrset }] });
  assert.ok(change.id);
  assert.ok(['PENDING', 'INSYNC'].includes(change.status), change.status);
  assert.deepEqual((await sim.resolve('new.example.com')).values, ['192.0.2.77', '192.0.2.78']);
  assert.equal((await sim.zones())[0].record_set_count, 10);
  // By id, as JSON text as the aws CLI takes it.
  await sim.applyChangeBatch('/hostedzone/Z1CLIENTTEST', JSON.stringify({ Changes: [{ Action: 'DELETE', ResourceRecordSet: rrset }] }));
  assert.equal((await sim.resolve('new.example.com')).rcode, 'NXDOMAIN');
});

test('a change batch Route 53 rejects fails whole', async (t) => {
  const sim = await manual(t);
  const batch = { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'app.example.com', Type: 'CNAME', TTL: 30,
    ResourceRecords: [{ Value: 'elsewhere.example.net' }] } }] };
  await assert.rejects(sim.applyChangeBatch('example.com', batch),
    (e) => e instanceof ApiError && e.status === 400 && e.code === 'InvalidChangeBatch');
  await assert.rejects(sim.applyChangeBatch('nowhere.test', batch), R53SimError);
});

test('loadZone creates a zone and upserts its records', async (t) => {
  const sim = await manual(t);
  const record = (value) => [{ Name: 'www.loaded.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: value }] }];
  const id = await sim.loadZone('loaded.test', record('192.0.2.90'));
  assert.match(id, /^Z/);
  assert.deepEqual((await sim.resolve('www.loaded.test')).values, ['192.0.2.90']);
  assert.equal(await sim.loadZone('loaded.test.', record('192.0.2.91')), id);
  assert.deepEqual((await sim.resolve('www.loaded.test')).values, ['192.0.2.91']);
  assert.deepEqual((await sim.zones()).map((z) => z.name).sort(), ['example.com.', 'loaded.test.']);
  const outside = [{ Name: 'www.elsewhere.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] }];
  await assert.rejects(sim.loadZone('loaded.test', outside),
    (e) => e instanceof ApiError && e.code === 'InvalidChangeBatch');
});

// --- the type declarations ---------------------------------------------------------------------

test('index.d.ts declares what index.js exports, and every R53Sim method', () => {
  const declarations = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
  const declared = [...declarations.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(require('..')).sort());
  const body = declarations.slice(declarations.indexOf('export class R53Sim {'));
  const members = [...body.slice(0, body.indexOf('\n}')).matchAll(/^ {2}(?:static |readonly )?(\w+)[(:?]/gm)]
    .map((m) => m[1]);
  const prototype = Object.getOwnPropertyNames(R53Sim.prototype).filter((n) => !n.startsWith('_') && n !== 'constructor');
  const statics = Object.getOwnPropertyNames(R53Sim).filter((n) => typeof R53Sim[n] === 'function');
  assert.deepEqual(members.sort(), [...prototype, ...statics].sort());
});

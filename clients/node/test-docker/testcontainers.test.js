'use strict';
// R53SimContainer against the image built from docker/Dockerfile (R53SIM_TEST_IMAGE) and a real
// Docker daemon. Run by ctest (tests/docker): TESTCONTAINERS_RYUK_DISABLED=true, so every test
// stops what it starts.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { GenericContainer, Network } = require('testcontainers');
const { R53SimContainer } = require('../testcontainers');
const { ApiError, WaitTimeoutError } = require('..');

const IMAGE = process.env.R53SIM_TEST_IMAGE || 'r53sim:local';

// Both checks probe r53sim's own admin API inside the container; the manual clock keeps them
// from running, so only setHealth moves the answer.
const CONFIG = `
hosted_zones:
  - Name: example.com
    ResourceRecordSets:
      - {Name: app.example.com, Type: A, SetIdentifier: primary, Failover: PRIMARY,
         HealthCheckId: hc-primary, TTL: 5, ResourceRecords: [{Value: 192.0.2.10}]}
      - {Name: app.example.com, Type: A, SetIdentifier: secondary, Failover: SECONDARY,
         HealthCheckId: hc-secondary, TTL: 5, ResourceRecords: [{Value: 198.51.100.20}]}
health_checks:
  hc-primary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: 8053, ResourcePath: /healthz}
  hc-secondary:
    HealthCheckConfig: {Type: HTTP, IPAddress: 127.0.0.1, Port: 8053, ResourcePath: /healthz}
`;
const SEED = {
  Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'www.example.com', Type: 'CNAME', TTL: 60,
    ResourceRecords: [{ Value: 'app.example.com' }] } }],
};

test('a container with a config and a change batch fails over through the client helpers', async (t) => {
  const sim = await new R53SimContainer(IMAGE).withConfig(CONFIG).withChangeBatch(SEED)
    .withManualClock().start();
  t.after(() => sim.stop());

  // Read from the container's UDP mapping, as docker itself reports it.
  const dns = sim.getDnsAddress();
  assert.equal(dns.port, sim.getDnsPort('udp'));
  const inspected = JSON.parse(execFileSync('docker', ['inspect', sim.getId()], { encoding: 'utf8' }))[0];
  const udp = inspected.NetworkSettings.Ports['53/udp'].map((b) => Number(b.HostPort));
  const tcp = inspected.NetworkSettings.Ports['53/tcp'].map((b) => Number(b.HostPort));
  assert.ok(udp.includes(dns.port), JSON.stringify(inspected.NetworkSettings.Ports));
  assert.ok(tcp.includes(sim.getDnsPort('tcp')));
  assert.deepEqual((await sim.resolve('app.example.com', 'A')).values, ['192.0.2.10']);
  // TCP is published on its own host port; the client asks it there.
  assert.deepEqual((await sim.resolve('app.example.com', 'A', { tcp: true })).values, ['192.0.2.10']);
  // The change batch was copied in before start and applied by --seed-dir.
  assert.deepEqual((await sim.resolve('www.example.com', 'CNAME')).values, ['app.example.com.']);
  assert.deepEqual((await sim.zones()).map((z) => z.name), ['example.com.']);
  assert.equal((await sim.clock()).mode, 'manual');

  await sim.setHealth('hc-primary', 'unhealthy');
  await sim.waitForAnswer('app.example.com', 'A', ['198.51.100.20'], { timeout: 5000 });
  assert.deepEqual((await sim.resolve('app.example.com', 'A')).values, ['198.51.100.20']);
  assert.deepEqual((await sim.explain('app.example.com', 'A')).answer, ['app.example.com. 5 IN A 198.51.100.20']);
  await sim.setHealth('hc-primary', 'auto');
  await sim.waitForHealth('hc-primary', 'healthy', { timeout: 5000 });

  await assert.rejects(sim.setHealth('hc-nonexistent', 'unhealthy'), (e) => e instanceof ApiError && e.status === 404);
  await assert.rejects(sim.waitForAnswer('app.example.com', 'A', ['203.0.113.99'], { timeout: 300 }),
    (e) => e instanceof WaitTimeoutError && Array.isArray(e.last.answer));

  // The Route 53 REST API on the mapped admin port, with the dummy credentials an SDK needs.
  const api = sim.getApiEndpoint();
  assert.equal(api.url, sim.getAdminUrl());
  assert.deepEqual(api.credentials, { accessKeyId: 'test', secretAccessKey: 'test' });
  const listed = await (await fetch(`${api.url}/2013-04-01/hostedzone`)).text();
  assert.match(listed, /<Name>example\.com\.<\/Name>/);
  await sim.applyChangeBatch('example.com', { Changes: [{ Action: 'CREATE', ResourceRecordSet: {
    Name: 'api.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.77' }] } }] });
  assert.deepEqual((await sim.resolve('api.example.com', 'A')).values, ['192.0.2.77']);
});

test('the image default config answers with no config given', async (t) => {
  const sim = await new R53SimContainer(IMAGE).start();
  t.after(() => sim.stop());
  assert.deepEqual((await sim.resolve('app.example.com', 'A')).values, ['192.0.2.10']);
});

// A DNS query for app.example.com A over TCP, sent by bash alone (the other container has no
// DNS tools): two length bytes, then the message.
const QUERY = '\\x00\\x21\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00' +
  '\\x03app\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01';

test('other containers reach it by its network alias', async (t) => {
  const started = [];
  // Containers first, then the network they are on.
  t.after(async () => {
    const errors = [];
    for (const stop of started.reverse()) await stop().catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  });
  const network = await new Network().start();
  started.push(() => network.stop());
  const sim = await new R53SimContainer(IMAGE).withConfig(CONFIG).withManualClock()
    .withNetworkAlias(network, 'r53sim').start();
  started.push(() => sim.stop());
  const peer = await new GenericContainer('debian:bookworm').withNetwork(network)
    .withCommand(['sleep', 'infinity']).start();
  started.push(() => peer.stop({ timeout: 0 }));

  const inside = sim.getNetworkDnsAddress();
  assert.equal(inside.host, 'r53sim');
  assert.equal(inside.port, 53);
  assert.equal(inside.ip, sim.getIpAddress(network.getName()));
  const ready = await peer.exec(['bash', '-c',
    'exec 3<>/dev/tcp/r53sim/8053 && printf "GET /readyz HTTP/1.0\\r\\n\\r\\n" >&3 && head -n1 <&3']);
  assert.match(ready.output, /^HTTP\/1\.[01] 200/, ready.output);
  const answer = await peer.exec(['bash', '-c',
    `exec 3<>/dev/tcp/${inside.host}/${inside.port} && printf '${QUERY}' >&3 && ` +
    'timeout 2 head -c 51 <&3 | od -An -tx1']);
  const bytes = answer.output.split(/\s+/).filter(Boolean).join(' ');
  assert.match(bytes, /00 01 00 01 00 00 00 05 00 04 c0 00 02 0a$/, bytes);  // A, TTL 5, 192.0.2.10
});

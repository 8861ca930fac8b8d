'use strict';
// The two-region failover of Route 53's documentation, tested as a project that uses r53sim would:
// us-east-1 (127.0.0.11) is PRIMARY, eu-west-1 (127.0.0.12) SECONDARY. With the manual clock no
// probe runs, so the override alone decides: no endpoint, no sleep.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { R53Sim } = require('r53sim');

const config = path.join(__dirname, 'two-region.yaml');

test('fails over to eu-west-1', async (t) => {
  const sim = await R53Sim.start({ config, args: ['--manual-clock'] }, t);
  assert.deepEqual((await sim.resolve('app.example.com')).values, ['127.0.0.11']);
  await sim.setHealth('hc-us-east-1', 'unhealthy');
  await sim.waitForAnswer('app.example.com', 'A', ['127.0.0.12'], { timeout: 1000 });
  assert.deepEqual((await sim.resolve('app.example.com')).values, ['127.0.0.12']);
});

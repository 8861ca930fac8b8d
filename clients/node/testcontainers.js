'use strict';
// R53SimContainer: r53sim's image as a Testcontainers module. `require('r53sim/testcontainers')`
// needs the npm `testcontainers` package (an optional peer dependency: the plain client in
// index.js keeps no dependencies). The container is driven by the same client as the binary,
// attached to the admin API's mapped port.
const fs = require('node:fs');
const path = require('node:path');
const { R53Sim, R53SimError } = require('./index');

let testcontainers;
try {
  testcontainers = require('testcontainers');
} catch (e) {
  if (e.code !== 'MODULE_NOT_FOUND') throw e;
  throw new R53SimError('r53sim/testcontainers needs the testcontainers package: ' +
    'npm install --save-dev testcontainers');
}
const { AbstractStartedContainer, GenericContainer, Wait, getContainerRuntimeClient } = testcontainers;

const DNS_PORT = 53;
const ADMIN_PORT = 8053;
const CONF_D = '/etc/r53sim/conf.d';
const SEEDS = '/etc/r53sim/seeds';

// The client's helpers, callable on the started container itself (sim.setHealth(...)).
const HELPERS = ['resolve', 'explain', 'health', 'setHealth', 'waitForHealth', 'waitForAnswer',
  'clock', 'advance', 'zones', 'applyChangeBatch', 'loadZone'];

class R53SimContainer extends GenericContainer {
  // `image`: an image built from docker/Dockerfile (`make image` tags r53sim:local).
  constructor(image = 'r53sim:local') {
    super(image);
    this._configs = 0;
    this._batches = 0;
    this._args = [];
    this._alias = null;
    // Ready means /readyz answers 200 over TCP on the admin port: never a DNS probe over UDP,
    // which a wait strategy cannot tell from a dropped packet.
    this.withExposedPorts(`${DNS_PORT}/udp`, `${DNS_PORT}/tcp`, ADMIN_PORT)
      .withWaitStrategy(Wait.forHttp('/readyz', ADMIN_PORT).forStatusCode(200))
      .withStartupTimeout(60000);
  }

  // A config: a file or directory path, YAML text (anything with a newline) or an object. Each
  // call adds a file to /etc/r53sim/conf.d, merged in the order given; without one the image's
  // own demo config serves. Listen addresses are the image's (0.0.0.0:53, 0.0.0.0:8053).
  withConfig(config) {
    const index = String(++this._configs).padStart(2, '0');
    if (typeof config === 'string' && !config.includes('\n')) {
      if (!fs.existsSync(config)) throw new R53SimError(`no config file ${config}`);
      if (fs.statSync(config).isDirectory()) {
        for (const name of fs.readdirSync(config).filter((n) => /\.ya?ml$/.test(n)).sort()) {
          this.withCopyFilesToContainer([{ source: path.join(config, name),
            target: `${CONF_D}/${index}-${name}`, mode: 0o644 }]);
        }
        return this;
      }
      return this.withCopyFilesToContainer([{ source: path.resolve(config),
        target: `${CONF_D}/${index}-${path.basename(config)}`, mode: 0o644 }]);
    }
    const text = typeof config === 'string' ? config : JSON.stringify(config);
    return this.withCopyContentToContainer([{ content: text, target: `${CONF_D}/${index}-config.yaml`, mode: 0o644 }]);
  }

  // A change batch in AWS's JSON shape (object or JSON text), applied at start in the order
  // given; `zone` (an id) when its records' names do not say which configured zone it is for.
  withChangeBatch(batch, { zone } = {}) {
    let object = typeof batch === 'string' ? JSON.parse(batch) : batch;
    if (zone) object = { HostedZoneId: zone, ChangeBatch: object };
    const index = String(++this._batches).padStart(2, '0');
    return this.withCopyContentToContainer([{ content: JSON.stringify(object, null, 2),
      target: `${SEEDS}/${index}-batch.json`, mode: 0o644 }]);
  }

  // Extra `r53sim serve` options ('--manual-clock', '--time-scale', '0.1', ...).
  withArgs(...args) {
    this._args.push(...args);
    return this;
  }

  withManualClock() {
    return this.withArgs('--manual-clock');
  }

  // Network-alias mode: joins `network` (a started Testcontainers Network) as `alias`, so other
  // containers on it reach DNS at alias:53 and the admin API at http://alias:8053.
  withNetworkAlias(network, alias = 'r53sim') {
    this._alias = alias;
    return this.withNetwork(network).withNetworkAliases(alias);
  }

  async start() {
    this.withCommand(['serve', ...this._args]);
    const started = await super.start();
    const container = new StartedR53SimContainer(started, this._alias);
    try {
      container._ports = await publishedPorts(started.getId());
      await container._attach();
    } catch (e) {
      await started.stop();
      throw e;
    }
    return container;
  }
}

// '53/udp' -> host port, from the container's own port mappings. Testcontainers keys its mapped
// ports by number alone when it filters them, so of 53/udp and 53/tcp it keeps only one; the
// runtime's inspect data has both.
async function publishedPorts(id) {
  const client = await getContainerRuntimeClient();
  const info = await client.container.inspect(client.container.getById(id));
  const ports = new Map();
  for (const [spec, bindings] of Object.entries(info.NetworkSettings.Ports || {})) {
    if (!bindings || !bindings.length) continue;
    const binding = bindings.find((b) => !b.HostIp.includes(':')) || bindings[0];
    ports.set(spec, Number(binding.HostPort));
  }
  return ports;
}

class StartedR53SimContainer extends AbstractStartedContainer {
  constructor(started, alias) {
    super(started);
    this._alias = alias;
    this._sim = null;
    this._ports = new Map();
    for (const name of HELPERS) this[name] = (...args) => this.client[name](...args);
  }

  async _attach() {
    const { host, port } = this.getDnsAddress();
    const tcp = this._ports.get(`${DNS_PORT}/tcp`);
    this._sim = await R53Sim.attach(this.getAdminUrl(), {
      dns: `${host}:${port}`, ...(tcp ? { dnsTcp: `${host}:${tcp}` } : {}) });
  }

  // The host as an address: 'localhost' may resolve to ::1, where a runtime often publishes no
  // UDP port.
  _hostAddress() {
    const host = this.getHost();
    return host === 'localhost' ? '127.0.0.1' : host;
  }

  // The attached client (every method of the table in README.md).
  get client() {
    if (!this._sim) throw new R53SimError('the r53sim container is not started');
    return this._sim;
  }

  // { host, port } where the host reaches DNS: the UDP mapping of 53, or TCP's when the runtime
  // published no UDP port.
  getDnsAddress() {
    const port = this._ports.get(`${DNS_PORT}/udp`) || this._ports.get(`${DNS_PORT}/tcp`);
    if (!port) throw new R53SimError('the r53sim container publishes no DNS port');
    return { host: this._hostAddress(), port };
  }

  // The host port of the container's 53/tcp (or 53/udp).
  getDnsPort(protocol = 'udp') {
    const port = this._ports.get(`${DNS_PORT}/${protocol}`);
    if (!port) throw new R53SimError(`the r53sim container publishes no ${DNS_PORT}/${protocol}`);
    return port;
  }

  getAdminUrl() {
    return `http://${this._hostAddress()}:${this.getMappedPort(ADMIN_PORT)}`;
  }

  // The Route 53 REST API for an AWS SDK: URL, region and dummy credentials.
  getApiEndpoint() {
    return { url: this.getAdminUrl(), region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  }

  // For other containers on the network given to withNetworkAlias: the alias, and the address
  // to give as their DNS server (a resolver setting takes an IP, not a name).
  getNetworkDnsAddress() {
    if (!this._alias) throw new R53SimError('not in network-alias mode: use withNetworkAlias(network)');
    const network = this.getNetworkNames().find((n) => n !== 'bridge') || this.getNetworkNames()[0];
    return { host: this._alias, ip: this.getIpAddress(network), port: DNS_PORT,
      adminUrl: `http://${this._alias}:${ADMIN_PORT}` };
  }

  async stop(options) {
    this._sim = null;
    return super.stop(options);
  }
}

module.exports = { R53SimContainer, StartedR53SimContainer };

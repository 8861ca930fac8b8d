// Types of r53sim/testcontainers (testcontainers.js), on the npm testcontainers package.
import { AbstractStartedContainer, GenericContainer, StartedNetwork, StartedTestContainer } from 'testcontainers';
import { ApiEndpoint, R53Sim } from './index';

export class R53SimContainer extends GenericContainer {
  /** An image built from docker/Dockerfile; r53sim:local if unset. */
  constructor(image?: string);
  /** A config file or directory path, YAML text or an object, copied to /etc/r53sim/conf.d. */
  withConfig(config: string | object): this;
  /** A change batch (AWS JSON shape) applied at start; `zone` is a hosted zone id. */
  withChangeBatch(batch: object | string, options?: { zone?: string }): this;
  /** Extra `r53sim serve` options. */
  withArgs(...args: string[]): this;
  withManualClock(): this;
  /** Joins `network` as `alias` (default "r53sim") for other containers. */
  withNetworkAlias(network: StartedNetwork, alias?: string): this;
  start(): Promise<StartedR53SimContainer>;
}

export class StartedR53SimContainer extends AbstractStartedContainer {
  constructor(started: StartedTestContainer, alias: string | null);
  /** The client attached to the mapped admin port. */
  readonly client: R53Sim;
  /** Host and port of DNS from the UDP mapping of 53 (TCP's if no UDP port is published). */
  getDnsAddress(): { host: string; port: number };
  /** The host port of the container's 53/udp or 53/tcp. */
  getDnsPort(protocol?: 'udp' | 'tcp'): number;
  getAdminUrl(): string;
  getApiEndpoint(): ApiEndpoint;
  /** Network-alias mode: the alias, the container's IP on that network, port 53, the admin URL. */
  getNetworkDnsAddress(): { host: string; ip: string; port: number; adminUrl: string };
  resolve: R53Sim['resolve'];
  explain: R53Sim['explain'];
  health: R53Sim['health'];
  setHealth: R53Sim['setHealth'];
  waitForHealth: R53Sim['waitForHealth'];
  waitForAnswer: R53Sim['waitForAnswer'];
  clock: R53Sim['clock'];
  advance: R53Sim['advance'];
  zones: R53Sim['zones'];
  applyChangeBatch: R53Sim['applyChangeBatch'];
  loadZone: R53Sim['loadZone'];
}

import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { BlockList } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { startTestGateway } from '../../gateway/src/testing/test-gateway.ts';

const run = promisify(execFile);
const COMPOSE = fileURLToPath(new URL('../', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const at = (path: string) => `${COMPOSE}${path}`;
const readYaml = async (path: string) => parse(await readFile(path, 'utf8'), { merge: true });

/** Stand-ins for the secrets compose.yaml requires from compose/.env. */
const SECRETS = { WSGW_API_KEY: 'test-key', WSGW_JWT_SECRET: 'x'.repeat(32), WSGW_ADMIN_TOKEN: 'y'.repeat(16), GRAFANA_ADMIN_PASSWORD: 'test' };

/** Runs a command; resolves with its exit code and output instead of throwing on failure. */
async function exitOf(command: string, args: string[], env: Record<string, string> = {}) {
  const result = await run(command, args, { cwd: ROOT, env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number | string; stdout?: string; stderr?: string; message: string }) => ({ code: error.code, output: `${error.stdout ?? ''}${error.stderr ?? error.message}` }),
  );
  if (result.code === 'ENOENT') throw new Error(`${command} is not installed (apt-get install ${command === 'promtool' ? 'prometheus' : command})`);
  return result;
}

describe('the compose stack', () => {
  it('is a valid compose file, with and without the load profile', async () => {
    for (const profile of [[], ['--profile', 'load']]) {
      const { code, output } = await exitOf('docker-compose', [...profile, '-f', 'compose/compose.yaml', 'config', '-q'], SECRETS);
      expect(output).toBe('');
      expect(code).toBe(0);
    }
  });

  it('refuses to start without its secrets: none is committed', async () => {
    const withoutKey: Record<string, string> = { ...SECRETS, WSGW_API_KEY: '' };
    const { code, output } = await exitOf('docker-compose', ['-f', 'compose/compose.yaml', 'config', '-q'], withoutKey);
    expect(code).not.toBe(0);
    expect(output).toContain('set WSGW_API_KEY');
  });

  it('has a Prometheus config promtool accepts', async () => {
    const { code, output } = await exitOf('promtool', ['check', 'config', 'compose/prometheus.yml']);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('scrapes and balances every gateway service', async () => {
    const compose = await readYaml(at('compose.yaml'));
    const gateways = Object.entries(compose.services as Record<string, { build?: { dockerfile: string }; profiles?: string[] }>)
      .filter(([, service]) => service.build?.dockerfile === 'compose/gateway.Dockerfile' && !service.profiles)
      .map(([name]) => name);
    expect(gateways).toHaveLength(3);
    const prometheus = await readYaml(at('prometheus.yml'));
    const wsgw = prometheus.scrape_configs.find((job: { job_name: string }) => job.job_name === 'wsgw');
    // Scraped on their metrics port, balanced on their client port, and the two differ.
    const metricsPort = compose.services[gateways[0]!].environment.WSGW_METRICS_PORT as string;
    expect(metricsPort).toMatch(/^\d+$/);
    expect(metricsPort).not.toBe('8080');
    expect(wsgw.static_configs.flatMap((c: { targets: string[] }) => c.targets).sort()).toEqual(gateways.map((name) => `${name}:${metricsPort}`).sort());
    const nginx = await readFile(at('nginx.conf'), 'utf8');
    for (const gateway of gateways) expect(nginx).toContain(`server ${gateway}:8080;`);
    expect(nginx).not.toContain(`:${metricsPort};`);
    expect(compose.services.prometheus.command).toContain('--enable-feature=exemplar-storage');
    // The NATS bus keeps the streams' history in JetStream.
    expect(compose.services.nats.command).toContain('-js');
  });

  it('links exemplars to the Tempo data source and provisions the generated dashboards', async () => {
    const { datasources } = await readYaml(at('grafana/provisioning/datasources/datasources.yaml'));
    const tempo = datasources.find((d: { type: string }) => d.type === 'tempo');
    const prometheus = datasources.find((d: { type: string }) => d.type === 'prometheus');
    expect(prometheus.jsonData.exemplarTraceIdDestinations).toEqual([expect.objectContaining({ name: 'trace_id', datasourceUid: tempo.uid })]);

    const { providers } = await readYaml(at('grafana/provisioning/dashboards/wsgw.yaml'));
    const grafana = (await readYaml(at('compose.yaml'))).services.grafana;
    const mounted = (grafana.volumes as string[]).find((volume) => volume.startsWith('./grafana/dashboards:'))!.split(':')[1];
    expect(providers[0].options.path).toBe(mounted);
    const home = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH as string;
    expect(home.startsWith(`${mounted}/`)).toBe(true);
    expect(await readdir(at('grafana/dashboards'))).toContain(home.slice(mounted!.length + 1));
  });

  it('sends traces gateway → collector → Tempo on ports that match', async () => {
    const compose = await readYaml(at('compose.yaml'));
    const collector = await readYaml(fileURLToPath(new URL('../../otel/collector.yaml', import.meta.url)));
    const tempo = await readYaml(at('tempo.yaml'));
    const port = (endpoint: string) => endpoint.split(':').at(-1);
    const receivers = collector.receivers.otlp.protocols;
    expect(port(compose.services['gateway-1'].environment.OTEL_EXPORTER_OTLP_ENDPOINT)).toBe(port(receivers.http.endpoint));
    expect(collector.service.pipelines.traces.exporters).toEqual(['otlp/tempo']);
    expect(collector.exporters['otlp/tempo'].endpoint).toBe(`tempo:${port(tempo.distributor.receivers.otlp.protocols.grpc.endpoint)}`);
    expect(collector.service.extensions).toContain('health_check');
  });

  it('has the gateways trust the load balancer for client addresses instead of a raised per-IP limit', async () => {
    const { loadConfig } = await import('../../gateway/src/config.ts');
    const { createClientAddressResolver } = await import('../../gateway/src/http/forwarded-for.ts');
    const compose = await readYaml(at('compose.yaml'));
    const lbAddress = compose.services.lb.networks.default.ipv4_address as string;
    const subnet = compose.networks.default.ipam.config[0].subnet as string;
    const [network, prefix] = subnet.split('/');
    const inSubnet = new BlockList();
    inSubnet.addSubnet(network!, Number(prefix));
    expect(inSubnet.check(lbAddress)).toBe(true);
    for (const name of ['gateway-1', 'gateway-2', 'gateway-3']) {
      const config = loadConfig({ ...SECRETS, NODE_ENV: 'production', ...compose.services[name].environment });
      expect(config.connectRatePerIp).toBe(loadConfig({}).connectRatePerIp);
      // What nginx's $proxy_add_x_forwarded_for sends: the client's own header, then its address.
      const client = createClientAddressResolver(config.trustedProxies).resolve(lbAddress, '10.6.6.6, 203.0.113.7');
      expect(client).toEqual({ ip: '203.0.113.7', forwarded: true });
    }
    expect(await readFile(at('nginx.conf'), 'utf8')).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
  });

  it("runs the gateway as a non-root user, healthy exactly while a real gateway is ready", async () => {
    const dockerfile = (await readFile(at('gateway.Dockerfile'), 'utf8')).replace(/\\\n\s*/g, '');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime.indexOf('USER ')).toBeLessThan(runtime.indexOf('\nCMD '));
    const healthcheck = JSON.parse(/^HEALTHCHECK .*?CMD (\[.+\])$/m.exec(runtime)![1]!) as string[];
    // compose.yaml writes `$` as `$$`; with that undone, it runs the image's command.
    const composed = (await readYaml(at('compose.yaml'))).services['gateway-1'].healthcheck.test as string[];
    expect(composed.map((word) => word.replaceAll('$$', '$'))).toEqual(['CMD', ...healthcheck]);

    const [command, ...args] = healthcheck;
    expect(command).toBe('node');
    const probe = (port: number) => exitOf(process.execPath, args, { PORT: String(port) });
    const gateway = await startTestGateway();
    const port = Number(new URL(gateway.http).port);
    expect(await probe(port)).toMatchObject({ code: 0 });
    await gateway.close();
    expect(await probe(port)).toMatchObject({ code: 1 });
  });

  it('runs the gateway image as npm start does: the compiled gateway, no tsx', async () => {
    const dockerfile = await readFile(at('gateway.Dockerfile'), 'utf8');
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[];
    const gateway = JSON.parse(await readFile(fileURLToPath(new URL('../../gateway/package.json', import.meta.url)), 'utf8'));
    expect(cmd.join(' ')).toBe(gateway.scripts.start);
    expect(cmd).not.toContain('tsx');
    expect(dockerfile).toMatch(/^WORKDIR \/app\/gateway$/m);
    expect(dockerfile).toContain('COPY --from=build /app/gateway/dist gateway/dist');
  });
});

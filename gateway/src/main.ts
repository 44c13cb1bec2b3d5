import { ConfigError, loadConfig } from './config.ts';
import { devBanner } from './dev-banner.ts';
import { createServer } from './server.ts';

/** Hard limit for a graceful stop: after this the process exits whatever is still open. */
const EXIT_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`wsgw: configuration error: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const gateway = createServer(config);
  const { logger } = gateway;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

  const address = await gateway.listen();
  const metricsPort = gateway.metricsAddress()?.port;
  logger.info({ host: address.address, port: address.port, ...(metricsPort !== undefined && { metricsPort }), bus: gateway.bus.kind, production: config.production }, 'listening');
  if (config.devSecrets) process.stdout.write(`${await devBanner(config, address)}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, connections: gateway.hub.size }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, EXIT_DEADLINE_MS).unref();
    gateway.shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`wsgw: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { createJwksKeys } from '../auth/jwks-keys.ts';
import { createTokenVerifier } from '../auth/token-verifier.ts';
import type { GatewayConfig } from '../config.ts';
import type { Hub } from '../hub/hub.ts';
import type { GatewayObserver } from '../telemetry/gateway-observer.ts';
import { createConnectRate } from './connect-rate.ts';
import type { StreamHistory } from '../bus/bus.ts';
import type { StreamInterest } from '../cluster/stream-interest.ts';
import { createConnectionEvents } from './connection-events.ts';
import { createStreamResume } from './stream-resume.ts';
import { createTagChanges, type TagChanges } from './tag-changes.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createTokenExpiry, type TokenExpiry } from './token-expiry.ts';
import { createUpgradeGate } from './upgrade-gate.ts';
import { createWsEndpoint, type WsEndpoint } from './ws-endpoint.ts';

export interface WsAreaOptions {
  config: Pick<
    GatewayConfig,
    | 'nodeId'
    | 'jwtSecret'
    | 'jwtPublicKey'
    | 'jwks'
    | 'jwtIssuer'
    | 'jwtAudience'
    | 'allowedOrigins'
    | 'trustedProxies'
    | 'connectRatePerIp'
    | 'maxConnections'
    | 'maxConnectionsPerUser'
    | 'inboundRate'
    | 'maxInvalidFrames'
    | 'maxFrameBytes'
    | 'heartbeatMs'
    | 'refreshGraceMs'
    | 'shutdownTimeoutMs'
  >;
  hub: Hub;
  /** The bus's stream history: welcome positions and resumes. */
  history: StreamHistory;
  /** Routes the streams of the node's connections to it. */
  interest: StreamInterest;
  observer: GatewayObserver;
  logger: Logger;
  /** True once the node is shutting down: upgrades are then refused with 503. */
  isDraining(): boolean;
}

/** The node's WebSocket clients: how they get in, how they are kept alive, how they are let go. */
export interface WsArea {
  /** `/ws` for the app. */
  readonly route: Hono;
  /** Takes the upgrades of the HTTP server (see `WsEndpoint.attach`). */
  readonly attach: WsEndpoint['attach'];
  /** How many connections wait for their token to expire, and how many are in their refresh grace. */
  readonly expiry: Pick<TokenExpiry, 'waiting' | 'inGrace'>;
  /** Applies tag changes to this node's connections, telling each in a `tags` frame. */
  readonly tags: TagChanges;
  /**
   * Stops the heartbeat, the expiry tick and the rate sweep, closes every connection with 1001 (waiting at most
   * `shutdownTimeoutMs`), then the WebSocket server.
   */
  stop(): Promise<void>;
}

/**
 * Builds the connection path of `/ws`: token check, per-IP rate and upgrade gate in front of the
 * endpoint, the per-connection handlers behind it, and the heartbeat.
 */
export function createWsArea(options: WsAreaOptions): WsArea {
  const { config, hub, observer, logger } = options;
  const verify = createTokenVerifier({
    secret: config.jwtSecret,
    publicKey: config.jwtPublicKey,
    jwks: config.jwks && createJwksKeys({ ...config.jwks, onFetchError: (message) => logger.warn({ cause: message }, 'JWKS refresh failed; serving the cached keys, if any') }),
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  const connectRate = createConnectRate(config.connectRatePerIp);
  const expiry = createTokenExpiry({ hub, graceMs: config.refreshGraceMs, observer, logger });
  const streams = createStreamResume({ nodeId: config.nodeId, hub, history: options.history, interest: options.interest, observer, logger });
  const endpoint = createWsEndpoint({
    admit: createUpgradeGate({ config, verify, hub, connectRate, isDraining: options.isDraining }),
    handlers: createConnectionEvents({
      hub,
      streams,
      verify,
      expiry,
      config,
      observer,
      logger,
    }),
    maxFrameBytes: config.maxFrameBytes,
    observer,
    logger,
  });
  const stopHeartbeat = startHeartbeat(hub, config.heartbeatMs);
  return {
    route: endpoint.route,
    attach: endpoint.attach,
    expiry,
    tags: createTagChanges({ hub, streams, history: options.history, interest: options.interest, logger }),
    async stop() {
      stopHeartbeat();
      expiry.stop();
      connectRate.stop();
      await hub.closeAll(config.shutdownTimeoutMs);
      endpoint.stop();
    },
  };
}

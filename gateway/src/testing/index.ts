/**
 * Test support for other workspaces (the console's tests): a real gateway on port 0, WebSocket
 * clients, and the console feed client. Never imported by application code.
 */
export { startTestGateway, useTestGateways, type TestGateway } from './test-gateway.ts';
export { connectClient, type TestClient } from './test-client.ts';
export { spawnGateway, type GatewayProcess } from './gateway-process.ts';
export { feedProtocols, openFeed, type FeedClient } from './feed-client.ts';
export { freePort, startPrometheus, type PrometheusServer } from './prometheus-server.ts';

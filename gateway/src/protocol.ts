/**
 * The wsgw wire contract: frames exchanged over `/ws` and the bodies of the HTTP API.
 * This is the one module other packages (console, loadtest) import from the gateway;
 * it holds types and constants only, so importing it pulls in no server code.
 * The prose version lives in gateway/PROTOCOL.md.
 */

export * from './protocol/wire-frames.ts';
export * from './protocol/http-api.ts';
export * from './protocol/reason-lists.ts';
export * from './protocol/console-feed.ts';
export * from './protocol/push-records.ts';

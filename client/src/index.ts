export { createWsgwClient, type TokenProvider, type TokenRequest, type WsgwClient, type WsgwClientOptions } from './client.ts';
export type { ClientState, LostStream, ResumedEvent, StateChange, TagsEvent, WsgwClientEvents, WsgwPush } from './client-events.ts';
export { FINAL_CLOSE_CODES, FINAL_HTTP_STATUSES, TOKEN_EXPIRED_CLOSE_CODE, isFinal, type DisconnectReason } from './disconnect-reason.ts';
export { BACKOFF_BASE_MS, BACKOFF_MAX_MS, backoffCeiling, backoffDelay } from './backoff.ts';
export { parseTraceparent, type TraceContext } from './traceparent.ts';
export type { WebSocketConstructor, WebSocketLike } from './socket-attempt.ts';

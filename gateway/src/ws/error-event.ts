/**
 * @hono/node-ws reports socket errors as `new ErrorEvent(...)`, a global Node only has from
 * version 22 on. On Node 20 that call throws inside ws's 'error' listener and takes the process
 * down with it, so a client sending an oversized or malformed frame could crash the gateway.
 * Installing a minimal ErrorEvent where it is missing keeps those errors where they belong.
 */
export function ensureErrorEvent(): void {
  if (typeof globalThis.ErrorEvent === 'function') return;
  class ErrorEventShim extends Event {
    readonly error: unknown;
    readonly message: string;
    constructor(type: string, init: ErrorEventInit = {}) {
      super(type, init);
      this.error = init.error;
      this.message = init.message ?? (init.error instanceof Error ? init.error.message : '');
    }
  }
  Object.defineProperty(globalThis, 'ErrorEvent', { value: ErrorEventShim, writable: true, configurable: true });
}

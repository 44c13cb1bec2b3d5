/** Raised for every token that must not open a connection; the message is safe to return to the client. */
export class TokenError extends Error {
  override name = 'TokenError';
}

import { CONSOLE_FEED_PROTOCOL, CONSOLE_TOKEN_PROTOCOL_PREFIX } from '@wsgw/gateway/protocol';
import { describe, expect, it } from 'vitest';
import { base64UrlEncode, feedProtocols } from './token-protocol.ts';

describe('base64UrlEncode', () => {
  it('matches Node’s base64url for ASCII, UTF-8 and the characters that differ from base64', () => {
    for (const text of ['', 'f', 'fo', 'foo', 'operator-token-1234567890', 'jötunn ✓ 令牌', '\u00ff\u00fe>?', '~~~???>>>']) {
      expect(base64UrlEncode(text)).toBe(Buffer.from(text, 'utf8').toString('base64url'));
    }
  });

  it('never pads and only uses subprotocol-safe characters', () => {
    const encoded = base64UrlEncode('a?b>c~d\u00ff');
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('feedProtocols', () => {
  it('offers the feed protocol first and the token as the second entry', () => {
    const [feed, token] = feedProtocols('s3cret+/=');
    expect(feed).toBe(CONSOLE_FEED_PROTOCOL);
    expect(token.startsWith(CONSOLE_TOKEN_PROTOCOL_PREFIX)).toBe(true);
    const decoded = Buffer.from(token.slice(CONSOLE_TOKEN_PROTOCOL_PREFIX.length), 'base64url').toString('utf8');
    expect(decoded).toBe('s3cret+/=');
  });
});

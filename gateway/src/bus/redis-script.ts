import { createHash } from 'node:crypto';
import type { createClient } from 'redis';

/** What a script needs of a node-redis client: EVALSHA, and EVAL to fall back on. */
export type RedisScriptClient = Pick<ReturnType<typeof createClient>, 'eval' | 'evalSha'>;

/** A Lua script run by its SHA1, with its keys (declared, as Redis asks) and arguments. */
export interface RedisScript {
  run(client: RedisScriptClient, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * A script sent once and then run by its SHA1. A server that does not know it (restarted, or
 * SCRIPT FLUSH) answers NOSCRIPT, and the source is sent again with EVAL, which also caches it.
 * Scripts take a variable number of keys, which node-redis' `defineScript` is not shaped for.
 */
export function createRedisScript(source: string): RedisScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return {
    async run(client, keys, args) {
      const options = { keys, arguments: args };
      try {
        return await client.evalSha(sha, options);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(source, options);
      }
    },
  };
}

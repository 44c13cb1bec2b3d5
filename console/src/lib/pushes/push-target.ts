import type { PushTarget } from '@wsgw/gateway/protocol';

/** A push's target in one line: `users alice, bob · tags ops · everyone`. */
export function describeTarget(to: PushTarget): string {
  const parts: string[] = [];
  if (to.users?.length) parts.push(`${to.users.length === 1 ? 'user' : 'users'} ${to.users.join(', ')}`);
  if (to.tags?.length) parts.push(`${to.tags.length === 1 ? 'tag' : 'tags'} ${to.tags.join(', ')}`);
  if (to.all) parts.push('everyone');
  return parts.join(' · ') || 'nobody';
}

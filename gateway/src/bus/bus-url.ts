/**
 * A broker URL as the gateway may show it (health reasons on `/ready`, logs): without the user,
 * password or token it may carry (`nats://user:secret@host:4222`, `redis://:secret@host:6379`).
 */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(bus URL)';
  }
}

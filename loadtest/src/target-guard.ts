/**
 * Load goes only to this machine: a load test aimed at someone else's server by a typo is an
 * attack. Loopback hosts only (127.0.0.0/8, ::1, localhost).
 */
export function assertLoopback(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`--target ${baseUrl} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--target must be http(s), got ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!loopback) throw new Error(`--target ${host} is not a loopback address; wsgw-load only loads this machine`);
}

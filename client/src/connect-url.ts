/** The URL of one connection attempt: the token in the query, since browsers cannot set headers on a WebSocket. */
export function connectUrl(base: string, token: string, resume: boolean): string {
  const url = new URL(base);
  url.searchParams.set('token', token);
  // The gateway then holds live pushes until the replay has been written.
  if (resume) url.searchParams.set('resume', '1');
  else url.searchParams.delete('resume');
  return url.toString();
}

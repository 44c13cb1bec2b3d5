/**
 * The trace viewer link for `traceId`, from the gateway's `WSGW_TRACE_URL_TEMPLATE` (`{traceId}`
 * marks where it goes); undefined when no template is configured or the id is missing.
 */
export function traceUrl(template: string | undefined, traceId: string | undefined): string | undefined {
  if (!template || !traceId) return undefined;
  return template.replaceAll('{traceId}', encodeURIComponent(traceId));
}

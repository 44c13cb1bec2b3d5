import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { fileURLToPath } from 'node:url';
import { deliveryLatencyDashboard } from './dashboards/delivery-latency.ts';
import { loadTestDashboard } from './dashboards/load-test.ts';
import { overviewDashboard } from './dashboards/overview.ts';

/** Where the compose stack's Grafana reads provisioned dashboards from. */
export const DASHBOARDS_DIR = fileURLToPath(new URL('../../compose/grafana/dashboards/', import.meta.url));

/** Every generated dashboard, by the file name it is written to. */
export const dashboards: ReadonlyArray<{ file: string; build: () => Dashboard }> = [
  { file: 'wsgw-overview.json', build: overviewDashboard },
  { file: 'wsgw-delivery-latency.json', build: deliveryLatencyDashboard },
  { file: 'wsgw-load-test.json', build: loadTestDashboard },
];

/** The committed form of a dashboard: two-space JSON with a trailing newline, so diffs stay readable. */
export const renderDashboard = (dashboard: Dashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`;

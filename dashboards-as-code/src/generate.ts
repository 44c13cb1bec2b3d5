/**
 * Writes every dashboard as JSON into compose/grafana/dashboards/ (`npm run dashboards`). The files
 * are committed; a test fails when they differ from what this would write.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { dashboards, DASHBOARDS_DIR, renderDashboard } from './dashboard-files.ts';

await mkdir(DASHBOARDS_DIR, { recursive: true });
for (const { file, build } of dashboards) {
  await writeFile(join(DASHBOARDS_DIR, file), renderDashboard(build()));
  process.stdout.write(`wrote ${relative(process.cwd(), join(DASHBOARDS_DIR, file))}\n`);
}

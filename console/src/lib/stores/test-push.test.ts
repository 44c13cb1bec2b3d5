import { useTestGateways } from '@wsgw/gateway/testing';
import { describe, expect, it } from 'vitest';
import { createConsoleApi } from '../transport/console-api.ts';
import { createTestPushStore } from './test-push.svelte.ts';

const startGateway = useTestGateways();

describe('createTestPushStore against a gateway', () => {
  it('sends a push, keeps the answer, and shows a refusal in its place', async () => {
    const gateway = await startGateway();
    const clients = [await gateway.connect('gus', ['crew']), await gateway.connect('hal', ['crew'])];
    const pushes = createTestPushStore({ api: createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! }) });

    await pushes.send({ to: { tags: ['crew'] }, data: { from: 'store' } });
    expect(pushes.sending).toBe(false);
    expect(pushes.error).toBeUndefined();
    expect(pushes.result?.recipients).toBe(2);
    expect(pushes.sentAt).toBeGreaterThan(0);
    for (const client of clients) expect((await client.waitForPushes(1))[0]).toMatchObject({ id: pushes.result!.id, data: { from: 'store' } });

    await pushes.send({ to: { tags: [] }, data: 1 });
    expect(pushes.result).toBeUndefined();
    expect(pushes.error).toMatch(/^Push refused \(400\): /);
  });
});

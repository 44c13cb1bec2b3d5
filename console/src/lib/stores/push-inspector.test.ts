import { useTestGateways } from '@wsgw/gateway/testing';
import { describe, expect, it } from 'vitest';
import { createConsoleApi } from '../transport/console-api.ts';
import { createPushInspectorStore } from './push-inspector.svelte.ts';

const startGateway = useTestGateways();

describe('createPushInspectorStore against a gateway', () => {
  it('opens a push, a user’s pushes and an unknown push, each replacing the last', async () => {
    const gateway = await startGateway();
    const kim = await gateway.connect('kim');
    const { body } = await gateway.push({ to: { users: ['kim'] }, data: 1 });
    await kim.waitForPushes(1);
    const pushes = createPushInspectorStore({ api: createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! }), now: () => 42 });

    await pushes.open({ kind: 'push', id: body.id });
    expect(pushes).toMatchObject({ loading: false, notFound: false, error: undefined, answeredAt: 42 });
    expect(pushes.inspection).toMatchObject({ id: body.id, acceptedBy: gateway.config.nodeId, to: { users: ['kim'] } });
    expect(pushes.inspection?.nodes[0]?.connections.map((c) => c.connection)).toEqual([kim.welcome.connection]);

    await pushes.open({ kind: 'user', user: 'kim' });
    expect(pushes.inspection).toBeUndefined();
    expect(pushes.userPushes?.pushes.map((p) => p.id)).toEqual([body.id]);

    await pushes.open({ kind: 'push', id: 'no-such-push' });
    expect(pushes).toMatchObject({ notFound: true, error: undefined, inspection: undefined, userPushes: undefined });
  });

  it('keeps the newest request’s answer, and the shown answer while the same query reloads', async () => {
    const gateway = await startGateway();
    const { body } = await gateway.push({ to: { users: ['lee'] }, data: 1 });
    const pushes = createPushInspectorStore({ api: createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! }) });

    const older = pushes.open({ kind: 'user', user: 'lee' });
    const newer = pushes.open({ kind: 'push', id: body.id });
    await Promise.all([older, newer]);
    expect(pushes.query).toEqual({ kind: 'push', id: body.id });
    expect(pushes.userPushes).toBeUndefined();
    expect(pushes.inspection?.id).toBe(body.id);

    const reload = pushes.refresh();
    expect(pushes.loading).toBe(true);
    expect(pushes.inspection?.id).toBe(body.id);
    await reload;
    expect(pushes.loading).toBe(false);
  });

  it('shows the error when the gateway is gone, and drops answers after stop', async () => {
    const gateway = await startGateway();
    const api = createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! });
    const pushes = createPushInspectorStore({ api });
    const dropped = pushes.open({ kind: 'user', user: 'mo' });
    pushes.stop();
    await dropped;
    expect(pushes.userPushes).toBeUndefined();

    await gateway.close();
    await pushes.open({ kind: 'push', id: 'any' });
    expect(pushes.notFound).toBe(false);
    expect(pushes.error).toMatch(/^No answer/);
  });
});

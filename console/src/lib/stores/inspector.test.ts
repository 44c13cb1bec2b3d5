import { useTestGateways } from '@wsgw/gateway/testing';
import { describe, expect, it } from 'vitest';
import { createConsoleApi } from '../transport/console-api.ts';
import { createInspectorStore } from './inspector.svelte.ts';

const startGateway = useTestGateways();

describe('createInspectorStore against a gateway', () => {
  it('looks a user up, disconnects one connection and then the user, settling on what the gateway lists', async () => {
    const gateway = await startGateway();
    const [first, second] = [await gateway.connect('erin', ['ops']), await gateway.connect('erin')];
    const inspector = createInspectorStore({ api: createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! }), settleMs: 50 });

    await inspector.lookup('  erin ');
    expect(inspector.user).toBe('erin');
    expect(inspector.loading).toBe(false);
    expect(inspector.result?.connections.map((c) => c.id).sort()).toEqual([first!.welcome.connection, second!.welcome.connection].sort());
    expect(inspector.result?.connections.find((c) => c.id === first!.welcome.connection)?.tags).toEqual(['ops']);

    await inspector.disconnectConnection(first!.welcome.connection);
    expect(inspector.notice).toBe('Disconnected 1 connection');
    expect(inspector.result?.connections.map((c) => c.id)).toEqual([second!.welcome.connection]);
    expect(inspector.pending.size).toBe(0);

    await inspector.disconnectUser();
    expect(inspector.notice).toBe('Disconnected 1 connection of erin');
    expect(inspector.result?.connections).toEqual([]);
    expect((await second!.closed).code).toBe(4001);
  });

  it('shows the gateway’s error when a disconnect fails', async () => {
    const gateway = await startGateway();
    await gateway.connect('finn');
    const inspector = createInspectorStore({ api: createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! }), settleMs: 20, settleAttempts: 2 });
    await inspector.lookup('finn');
    await inspector.disconnectConnection('not-a-connection');
    expect(inspector.error).toBe('Error 404: no such connection');
    expect(inspector.result?.connections).toHaveLength(1);
  });

  it('changes tags on one connection and on the user through the console route, showing the new tags', async () => {
    const gateway = await startGateway();
    const [first, second] = [await gateway.connect('gail', ['ops']), await gateway.connect('gail')];
    const inspector = createInspectorStore({ api: createConsoleApi({ baseUrl: gateway.http, token: gateway.config.adminToken! }) });
    await inspector.lookup('gail');
    const tagsOf = (id: string) => inspector.result?.connections.find((c) => c.id === id)?.tags;

    await inspector.changeTags({ add: ['vip'] }, second!.welcome.connection);
    expect(inspector.notice).toBe('Added vip on 1 connection of gail');
    expect(tagsOf(second!.welcome.connection)).toEqual(['vip']);
    expect(tagsOf(first!.welcome.connection)).toEqual(['ops']);

    await inspector.changeTags({ remove: ['ops', 'vip'] });
    expect(inspector.notice).toBe('Removed ops, vip on 2 connections of gail');
    expect(inspector.result?.connections.map((c) => c.tags)).toEqual([[], []]);
    expect(inspector.pending.size).toBe(0);

    await inspector.changeTags({ add: ['bad\u0001tag'] });
    expect(inspector.error).toMatch(/^Error 400: add has a tag with control characters/);
  });
});

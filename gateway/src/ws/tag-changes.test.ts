import { describe, expect, it } from 'vitest';
import type { Bus } from '../bus/bus.ts';
import type { TagsFrame } from '../protocol.ts';
import { createMemoryBroker, createMemoryBus } from '../bus/memory.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

/** A memory bus whose watch of `stream` waits for `open()`: a welcome waiting on a slow bus. */
function busHolding(stream: string) {
  const bus = createMemoryBus(createMemoryBroker(), { nodeId: 'node-a' });
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const watch = (name: string) => (name === stream ? gate.then(() => bus.watch(name)) : bus.watch(name));
  const held = new Proxy(bus, { get: (target, key) => (key === 'watch' ? watch : Reflect.get(target, key)) }) as Bus;
  return { bus: held, open };
}

describe('tag changes on one node', () => {
  it("sends the tags frame after the welcome when the change came while the welcome waited for the bus", async () => {
    const { bus, open } = busHolding('u:slow');
    const gateway = await startTestGateway({ nodeId: 'node-a' }, bus);
    const connecting = gateway.connect('slow');
    await expect.poll(() => gateway.server.hub.connectionsOfUser('slow').length).toBe(1);
    const answer = gateway.api('POST', '/api/users/slow/tags', { add: ['early'] });
    // The change is in the hub at once: the welcome, still waiting, is where the client stands.
    await expect.poll(() => gateway.server.hub.tagsOf(gateway.server.hub.connectionsOfUser('slow')[0]!)).toEqual(['early']);
    open();
    const client = await connecting;
    expect((await answer).body).toEqual({ changed: 1 });
    await client.waitFor((frame) => frame.type === 'tags');
    expect(client.frames.map((frame) => frame.type).slice(0, 2)).toEqual(['welcome', 'tags']);
    expect(client.welcome.streams).not.toHaveProperty('t:early');
    expect(client.frames[1]).toMatchObject({ type: 'tags', tags: ['early'], added: ['t:early'], streams: { 't:early': { seq: 0 } } });
    expect((await gateway.push({ to: { tags: ['early'] }, data: 'early' })).body.recipients).toBe(1);
    await client.waitFor((frame) => frame.type === 'push' && frame.data === 'early');
  });

  it('sends one frame per change, in the order the changes were made', async () => {
    const gateway = await startTestGateway();
    const client = await gateway.connect('order', ['a']);
    const answers = await Promise.all([
      gateway.api('POST', '/api/users/order/tags', { add: ['b'] }),
      gateway.api('POST', '/api/users/order/tags', { remove: ['a'] }),
      gateway.api('POST', '/api/users/order/tags', { add: ['c'], remove: ['b'] }),
    ]);
    expect(answers.map((answer) => answer.body)).toEqual([{ changed: 1 }, { changed: 1 }, { changed: 1 }]);
    await expect.poll(() => client.frames.filter((frame) => frame.type === 'tags').length).toBe(3);
    const frames = client.frames.filter((frame): frame is TagsFrame => frame.type === 'tags');
    // Whatever order the three requests were taken in, each frame follows from the one before.
    let tags = ['a'];
    for (const frame of frames) {
      const removed = new Set(frame.removed.map((stream) => stream.slice(2)));
      tags = [...tags.filter((tag) => !removed.has(tag)), ...frame.added.map((stream) => stream.slice(2))];
      expect(frame.tags).toEqual(tags);
    }
    expect((await gateway.api('GET', '/api/users/order')).body.connections[0].tags).toEqual(tags);
  });
});

import { describe, expect, it } from 'vitest';
import { MetricNames } from '../telemetry/metric-names.ts';
import { useTestGateways } from '../testing/test-gateway.ts';
import { clientCloseReason } from './hub.ts';

const startTestGateway = useTestGateways();

describe('closes the client initiates', () => {
  it('counts application codes 3000–4999 and 1000 as normal and an abrupt cut as error', async () => {
    const gateway = await startTestGateway();
    const clients = await Promise.all(['a', 'b', 'c', 'd'].map((user) => gateway.connect(user)));
    const [a, b, c, d] = clients;
    a!.ws.close(3000, 'app done');
    b!.ws.close(4999, 'app leaving');
    c!.ws.close(1000);
    // No close frame at all: the gateway sees 1006.
    d!.ws.terminate();
    await Promise.all(clients.map((client) => client.closed));
    await expect.poll(async () => (await gateway.api('GET', '/api/stats')).body.connections).toBe(0);

    const { connectionsClosed } = (await gateway.api('GET', '/api/stats')).body;
    expect(connectionsClosed).toMatchObject({ normal: 3, error: 1 });
    const metrics = await (await fetch(`${gateway.http}/metrics`)).text();
    expect(metrics).toContain(`${MetricNames.connectionsClosed}{reason="normal"} 3`);
    expect(metrics).toContain(`${MetricNames.connectionsClosed}{reason="error"} 1`);
  });

  it('classifies every code the wire can carry', () => {
    const normal = [1000, 1001, 1005, 3000, 3999, 4000, 4999];
    const error = [1002, 1003, 1006, 1007, 1008, 1009, 1010, 1011, 1015, 2999, 5000];
    expect(normal.map(clientCloseReason)).toEqual(normal.map(() => 'normal'));
    expect(error.map(clientCloseReason)).toEqual(error.map(() => 'error'));
  });
});

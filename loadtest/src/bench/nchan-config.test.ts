import { describe, expect, it } from 'vitest';
import { renderNchanConfig } from './nchan-config.ts';

describe('renderNchanConfig', () => {
  const config = renderNchanConfig({
    prefix: '/tmp/nchan-x/',
    modulePath: '/usr/lib/nginx/modules/ngx_nchan_module.so',
    host: '127.0.0.1',
    port: 4567,
    maxConnections: 10_000,
    user: 'root',
  });

  it('runs one foreground worker with the module, under its prefix, on the loopback port', () => {
    expect(config).toMatch(/^load_module \/usr\/lib\/nginx\/modules\/ngx_nchan_module\.so;$/m);
    expect(config).toMatch(/^daemon off;$/m);
    expect(config).toMatch(/^worker_processes 1;$/m);
    expect(config).toMatch(/^user root;$/m);
    expect(config).toMatch(/^pid \/tmp\/nchan-x\/nginx\.pid;$/m);
    expect(config).toContain('listen 127.0.0.1:4567;');
    expect(config).toContain('worker_connections 11024;');
  });

  it('subscribes each user to its own channel and the broadcast channel, and publishes by channel', () => {
    expect(config).toContain('nchan_channel_id $arg_user all;');
    expect(config).toMatch(/location ~ \^\/pub\/\(\\w\+\)\$ \{\s+nchan_publisher http;\s+nchan_channel_id \$1;/);
    expect(config).toMatch(/location = \/health \{\s+return 200/);
  });

  it('leaves the user directive out when none is given', () => {
    expect(renderNchanConfig({ prefix: '/p', modulePath: '/m.so', host: '127.0.0.1', port: 1, maxConnections: 1 })).not.toMatch(/^user /m);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNginx, mainConfig, renderSiteConfig } from '../../infra/local-cluster.mjs';
import { directives, type NginxDirective, nginxSeconds, parseNginx, readText } from './support.js';

const text = readText('infra/nginx/calma.conf');
const conf = parseNginx(text);
const server = directives(conf, 'server')[0]?.block as NginxDirective[];
const location = (path: string) => {
  const found = directives(server, 'location').find((d) => d.args.length === 1 && d.args[0] === path);
  if (!found?.block) throw new Error(`no "location ${path}" in calma.conf`);
  return found.block;
};
/** `proxy_set_header NAME VALUE` of a location, as a map. */
const headers = (block: NginxDirective[]) =>
  Object.fromEntries(directives(block, 'proxy_set_header').map((d) => [d.args[0]?.toLowerCase(), d.args[1]]));
const one = (block: NginxDirective[], name: string) => {
  const found = directives(block, name);
  expect(found, name).toHaveLength(1);
  return found[0]?.args ?? [];
};
const upstream = (name: string) => directives(conf, 'upstream').find((d) => d.args[0] === name)?.block ?? [];
const upstreamOf = (block: NginxDirective[]) => one(block, 'proxy_pass')[0]?.replace(/^http:\/\//, '') ?? '';

describe('infra/nginx/calma.conf', () => {
  it('passes WebSocket upgrades on /yjs/ and /socket.io/ and keeps quiet sockets open', () => {
    const map = directives(conf, 'map')[0];
    expect(map?.args).toEqual(['$http_upgrade', '$connection_upgrade']);
    expect(directives(map?.block ?? [], 'default')[0]?.args).toEqual(['upgrade']);
    for (const path of ['/yjs/', '/socket.io/']) {
      const block = location(path);
      expect(one(block, 'proxy_http_version'), path).toEqual(['1.1']);
      const set = headers(block);
      expect(set.upgrade, path).toBe('$http_upgrade');
      expect(set.connection, path).toBe('$connection_upgrade');
      // The nodes' ping is 20–25 s: a read timeout under a minute would cut idle boards.
      expect(nginxSeconds(one(block, 'proxy_read_timeout')[0] ?? '0'), path).toBeGreaterThanOrEqual(3600);
      expect(nginxSeconds(one(block, 'proxy_send_timeout')[0] ?? '0'), path).toBeGreaterThanOrEqual(3600);
      expect(one(block, 'proxy_buffering'), path).toEqual(['off']);
    }
  });

  it('tells the nodes the client address (replaced, not appended), the host with its port and the scheme', () => {
    for (const path of ['/yjs/', '/socket.io/', '/']) {
      const set = headers(location(path));
      expect(set['x-forwarded-for'], path).toBe('$remote_addr');
      expect(set.host, path).toBe('$http_host');
      expect(set['x-forwarded-host'], path).toBe('$http_host');
      expect(set['x-forwarded-proto'], path).toBe('$scheme');
    }
  });

  it('pins socket.io to a node per client address, and spreads the rest over the same nodes', () => {
    const socketio = upstream(upstreamOf(location('/socket.io/')));
    expect(directives(socketio, 'hash')[0]?.args).toEqual(['$remote_addr', 'consistent']);
    const rest = upstream(upstreamOf(location('/')));
    expect(upstreamOf(location('/yjs/'))).toBe(upstreamOf(location('/')));
    expect(directives(rest, 'hash')).toEqual([]);
    const nodes = (block: NginxDirective[]) => directives(block, 'server').map((d) => d.args[0]);
    expect(nodes(socketio)).toEqual(nodes(rest));
    expect(nodes(rest).length).toBeGreaterThanOrEqual(2);
  });

  it('accepts bodies at least as large as the server does', () => {
    const [size] = one(server, 'client_max_body_size');
    expect(size).toMatch(/^\d+m$/);
    expect(Number.parseInt(size ?? '0', 10) * 1024 * 1024).toBeGreaterThanOrEqual(4 * 1024 * 1024);
  });

  it('is accepted by nginx -t (Debian nginx), as the local cluster script renders it', () => {
    const nginx = findNginx();
    if (!nginx) throw new Error('nginx is not installed: install Debian\'s "nginx" package (npm test installs it)');
    const dir = mkdtempSync(join(tmpdir(), 'calma-nginx-test-'));
    try {
      for (const name of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
        mkdirSync(join(dir, 'temp', name), { recursive: true });
      const site = renderSiteConfig(text, { nodes: ['127.0.0.1:18081', '127.0.0.1:18082'], listen: '127.0.0.1:18080' });
      const file = join(dir, 'nginx.conf');
      writeFileSync(file, mainConfig({ dir, site }));
      const result = spawnSync(nginx, ['-t', '-p', dir, '-c', file], { encoding: 'utf8' });
      expect(result.stderr).toContain('test is successful');
      expect(result.status).toBe(0);
      // And a broken file is refused: the check can fail.
      writeFileSync(file, mainConfig({ dir, site: site.replace('proxy_http_version 1.1;', 'proxy_http_version;') }));
      expect(spawnSync(nginx, ['-t', '-p', dir, '-c', file], { encoding: 'utf8' }).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

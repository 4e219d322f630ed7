import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which the browser tests drive (never a browser downloaded by Playwright). */
export const chromiumPath = process.env.CALMA_CHROMIUM ?? '/usr/bin/chromium';

/** Installs Debian's `chromium` when it is missing and we may (root with apt-get). */
export function ensureChromium(log: (line: string) => void): void {
  if (existsSync(chromiumPath)) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get'))
    throw new Error(`Chromium is not at ${chromiumPath}: install Debian's "chromium" package, or set CALMA_CHROMIUM`);
  log('installing Chromium from Debian (apt-get install chromium) …');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * Headless Chromium with the flags this machine needs: no sandbox (root in a container), and no
 * background networking (its connections would be refused by the closed network).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

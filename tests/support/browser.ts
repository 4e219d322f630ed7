import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, which the browser tests drive (never a browser downloaded by Playwright). */
export const chromiumPath = process.env.CALMA_CHROMIUM?.trim() || '/usr/bin/chromium';

/**
 * Headless Chromium with the flags this machine needs: no sandbox (root in a container), and no
 * background networking (its connections would be refused by the closed network).
 */
export function launchChromium(): Promise<Browser> {
  // The tests only locate Chromium; `npm test` installs it (scripts/calma.mjs), never vitest.
  if (!existsSync(chromiumPath)) {
    const hint = process.env.CALMA_CHROMIUM?.trim()
      ? 'CALMA_CHROMIUM names a file that does not exist'
      : 'install Debian\'s "chromium" package (`npm test` installs it when run as root with apt-get), or set CALMA_CHROMIUM to another Chromium';
    return Promise.reject(new Error(`Chromium is not at ${chromiumPath}: ${hint}`));
  }
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

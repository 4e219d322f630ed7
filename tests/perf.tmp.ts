import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send('Performance.enable');
const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
for (let i = 0; i < 6; i++) {
  const a = await metrics();
  const t = performance.now();
  await page.goto(`http://localhost:8099${process.argv[2] ?? '/'}`);
  await page.locator('h1').first().waitFor();
  await page.waitForTimeout(300);
  const b = await metrics();
  const d = (k: string) => (b[k] * 1000).toFixed(0);
  console.log(`load ${(performance.now() - t).toFixed(0)} ms  task ${d('TaskDuration')} script ${d('ScriptDuration')} layout ${d('LayoutDuration')} style ${d('RecalcStyleDuration')}`);
}
await browser.close();

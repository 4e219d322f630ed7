/**
 * A plain SVG bar chart of fan-out latency, one group of bars per client count and one bar per
 * server: the full bar is the p99, the darker inner bar the p50, both labelled. Written beside the
 * other test output so that a person can open it in a browser.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One server's series: its title and, per client count, the p50 and p99 in ms (NaN when missing). */
export interface ChartSeries {
  readonly title: string;
  readonly points: readonly { readonly p50: number; readonly p99: number }[];
}

const colours = ['#2f6fb0', '#5aa15a', '#c0703a', '#8a5cb8', '#b0455a'];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Writes the chart to `path` and returns the path. */
export function writeFanoutChart(
  path: string,
  title: string,
  groups: readonly string[],
  series: readonly ChartSeries[],
) {
  const width = 900;
  const height = 420;
  const left = 60;
  const bottom = 60;
  const top = 50;
  const plotHeight = height - top - bottom;
  const groupWidth = (width - left - 20) / Math.max(1, groups.length);
  const barWidth = Math.min(50, (groupWidth - 30) / Math.max(1, series.length));
  const finite = series.flatMap((s) => s.points.map((p) => p.p99)).filter(Number.isFinite);
  const max = Math.max(1, ...finite) * 1.15;
  const y = (ms: number) => top + plotHeight - (ms / max) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 20}" y2="${top + plotHeight}" stroke="#333"/>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const ms = (max / 4) * tick;
    parts.push(
      `<line x1="${left}" y1="${y(ms)}" x2="${width - 20}" y2="${y(ms)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(ms) + 4}" text-anchor="end">${ms.toFixed(0)} ms</text>`,
    );
  }
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + (groupWidth - barWidth * series.length) / 2;
    parts.push(
      `<text x="${left + g * groupWidth + groupWidth / 2}" y="${top + plotHeight + 18}" text-anchor="middle">${escapeXml(group)}</text>`,
    );
    series.forEach((s, i) => {
      const point = s.points[g];
      if (!point || !Number.isFinite(point.p99)) return;
      const x = x0 + i * barWidth;
      const colour = colours[i % colours.length];
      parts.push(
        `<rect x="${x + 2}" y="${y(point.p99)}" width="${barWidth - 4}" height="${y(0) - y(point.p99)}" fill="${colour}" fill-opacity="0.35"/>`,
        `<rect x="${x + 2}" y="${y(point.p50)}" width="${barWidth - 4}" height="${y(0) - y(point.p50)}" fill="${colour}"/>`,
        `<text x="${x + barWidth / 2}" y="${y(point.p99) - 4}" text-anchor="middle">${point.p99.toFixed(1)}</text>`,
        // Inside the dark bar when it has room, else just above it.
        y(0) - y(point.p50) >= 16
          ? `<text x="${x + barWidth / 2}" y="${y(point.p50) + 12}" text-anchor="middle" fill="white">${point.p50.toFixed(1)}</text>`
          : `<text x="${x + barWidth / 2}" y="${y(point.p50) - 3}" text-anchor="middle">${point.p50.toFixed(1)}</text>`,
      );
    });
  });
  series.forEach((s, i) => {
    const x = left + i * 170;
    parts.push(
      `<rect x="${x}" y="${height - 22}" width="12" height="12" fill="${colours[i % colours.length]}"/>`,
      `<text x="${x + 18}" y="${height - 12}">${escapeXml(s.title)}</text>`,
    );
  });
  parts.push(
    `<text x="${width - 20}" y="${height - 12}" text-anchor="end" fill="#555">dark: p50 · light: p99</text>`,
    '</svg>',
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${parts.join('\n')}\n`);
  return path;
}

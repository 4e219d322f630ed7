import type { AdminToken } from './admin-token.js';
import type { DemoCredentials } from './seed/demo.js';

/** What the start-up banner shows. */
export interface BannerInput {
  url: string;
  db: 'pglite' | 'postgres';
  dataDir: string;
  admin: AdminToken;
  demo: DemoCredentials | null;
}

/**
 * Prints what a newcomer needs to run a session: where the data lives, the admin token (only
 * when just generated) and the demo's links. Tokens go in the URL fragment, which browsers never
 * send to the server, so they stay out of access logs.
 */
export function printBanner({ url, db, dataDir, admin, demo }: BannerInput): void {
  const lines: string[] = [];
  lines.push(`Calma — database: ${db === 'pglite' ? `embedded PGlite in ${dataDir}` : 'PostgreSQL'}`);
  if (admin.source === 'generated') {
    lines.push(`Admin token (printed once; also saved to ${admin.file}): ${admin.token}`);
  } else if (admin.source === 'stored') {
    lines.push(`Admin token: generated on first start, saved in ${admin.file}`);
  } else {
    lines.push('Admin token: from CALMA_ADMIN_TOKEN');
  }
  if (demo) {
    lines.push('', `Demo study: ${demo.studyTitle}`);
    for (const group of demo.groups) {
      lines.push(
        `  ${group.name}`,
        `    invite code      ${group.inviteCode}   join: ${url}/join/${group.inviteCode}`,
        `    moderator token  ${group.moderatorToken}   open: ${url}/#token=${group.moderatorToken}`,
        `    analyst token    ${group.analystToken}   open: ${url}/#token=${group.analystToken}`,
      );
    }
  }
  console.log(`${lines.join('\n')}\n`);
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, getSetting, putSetting } from '@calma/db';
import { hashToken, newToken } from './tokens.js';

const settingKey = 'admin_token_hash';

/** Where the admin token came from, and the token itself when it was generated just now. */
export type AdminToken =
  | { source: 'env'; hash: string }
  | { source: 'stored'; hash: string; file: string }
  | { source: 'generated'; hash: string; token: string; file: string };

/**
 * `CALMA_ADMIN_TOKEN` wins. Otherwise the hash stored on first start is used; when there is none
 * a token is generated, its hash stored in the database and the token itself written once to
 * `<dataDir>/admin-token` (mode 0600) so the operator can find it after the first print.
 */
export async function ensureAdminToken(
  db: Database,
  options: { envToken: string | null; dataDir: string },
): Promise<AdminToken> {
  if (options.envToken !== null) return { source: 'env', hash: hashToken(options.envToken) };
  const file = join(options.dataDir, 'admin-token');
  const stored = await getSetting<string>(db, settingKey);
  if (stored !== undefined) return { source: 'stored', hash: stored, file };
  const token = newToken();
  const hash = hashToken(token);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  await putSetting(db, settingKey, hash);
  return { source: 'generated', hash, token, file };
}

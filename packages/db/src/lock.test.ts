import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './lock.js';

const dirs: string[] = [];
const lockPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'calma-lock-'));
  dirs.push(dir);
  return join(dir, 'db.lock');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('lockDataDir', () => {
  it('holds the lock with our pid and frees it on release', () => {
    const path = lockPath();
    const lock = lockDataDir(path);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses while another live process holds it', async () => {
    const path = lockPath();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(path, String(other.pid));
      expect(() => lockDataDir(path)).toThrow(DataDirLockedError);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const path = lockPath();
    const other = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => other.on('exit', resolve));
    writeFileSync(path, String(other.pid));
    const lock = lockDataDir(path);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    lock.release();
  });
});

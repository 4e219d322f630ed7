import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath, resolve } from 'node:path';
import { parseProjectXml, unpackQdpx } from '@calma/core';
import { zeroBomb } from '@calma/core/testing';
import { listAttributes, listInteractions, listLabels, listParticipants, schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

// CI checks the shared specification out beside the clone (`../shared`); CALMA_SHARED_DIR points
// elsewhere when it is not there. A missing schema fails the test rather than skipping it.
const xsd = resolve(
  process.env.CALMA_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../../../shared'),
  'spec/refi-qda/Project.xsd',
);

const answer = 'नमस्ते! 😀 The treaty was signed in 1840, and it is warm of you to ask.';
const chatAnswer = 'Sure, Asha: write to asha@example.org and we will reply kindly.';

describe.each(databaseKinds)('REFI-QDA export and import on %s', (kind) => {
  let t: TestApp;
  let groupId: string;
  let moderator: string;
  let analyst: string;
  let exported: Buffer;

  const importInto = (
    group: { id: string; moderatorToken: string },
    body: Uint8Array | string,
    type = 'application/zip',
  ) =>
    t.app.inject({
      method: 'POST',
      url: `/api/groups/${group.id}/import.qdpx`,
      headers: { ...bearer(group.moderatorToken), 'content-type': type },
      payload: typeof body === 'string' ? body : Buffer.from(body),
    });

  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    groupId = group.id;
    moderator = group.moderatorToken;
    analyst = group.analystToken;
    const asha = await join(t, group.inviteCode, 'Asha Rao');
    const bo = await join(t, group.inviteCode, 'Bo Lind');
    await t.db.db.insert(schema.interactions).values([
      {
        id: `${kind}-imp`,
        groupId,
        participantId: null,
        baseline: true,
        messages: [
          { role: 'user', content: 'When was the treaty signed?' },
          { role: 'assistant', content: answer },
        ],
      },
      {
        id: `${kind}-shared`,
        groupId,
        participantId: asha.participantId,
        source: 'chat',
        shared: true,
        messages: [
          { role: 'user', content: "I'm Asha, how do I reach you?" },
          { role: 'assistant', content: chatAnswer },
        ],
      },
      {
        id: `${kind}-private`,
        groupId,
        participantId: bo.participantId,
        source: 'chat',
        shared: false,
        messages: [
          { role: 'user', content: 'A secret question' },
          { role: 'assistant', content: 'A secret answer' },
        ],
      },
    ]);
    const warmAt = answer.indexOf('warm');
    const kindlyAt = chatAnswer.indexOf('kindly');
    const label = (id: string, over: Partial<typeof schema.labels.$inferInsert>) => ({
      id: `${kind}-${id}`,
      groupId,
      stage: 'initial' as const,
      text: id,
      ...over,
    });
    await t.db.db.insert(schema.labels).values([
      label('warm', {
        participantId: asha.participantId,
        interactionId: `${kind}-imp`,
        messageIndex: 1,
        spanStart: warmAt,
        spanEnd: warmAt + 4,
        annotation: 'It says "warm" & means it <really>',
        seq: 0,
      }),
      label('greeting', {
        participantId: bo.participantId,
        interactionId: `${kind}-imp`,
        messageIndex: 1,
        spanStart: 0,
        spanEnd: 7,
        seq: 1,
      }),
      label('factual', { participantId: bo.participantId, interactionId: `${kind}-imp`, messageIndex: 1, seq: 2 }),
      label('kind', {
        participantId: asha.participantId,
        interactionId: `${kind}-shared`,
        messageIndex: 1,
        spanStart: kindlyAt,
        spanEnd: kindlyAt + 6,
        seq: 3,
      }),
      label('contact', {
        participantId: bo.participantId,
        interactionId: `${kind}-shared`,
        messageIndex: 1,
        spanStart: chatAnswer.indexOf('asha@'),
        spanEnd: chatAnswer.indexOf('asha@') + 'asha@example.org'.length,
        seq: 5,
      }),
      label('secretcode', {
        participantId: bo.participantId,
        interactionId: `${kind}-private`,
        messageIndex: 1,
        seq: 4,
      }),
    ]);
    await t.db.db.insert(schema.attributes).values([
      {
        id: `${kind}-at-warmth`,
        groupId,
        participantId: asha.participantId,
        name: 'Warmth',
        definition: 'How warm the answer feels',
        codes: [
          { labelId: `${kind}-warm`, sign: 1 },
          { labelId: `${kind}-kind`, sign: 1 },
          { labelId: `${kind}-factual`, sign: -1 },
        ],
      },
      {
        id: `${kind}-at-tone`,
        groupId,
        participantId: null,
        name: 'Tone',
        definition: '',
        codes: [{ labelId: `${kind}-warm`, sign: -1 }],
      },
    ]);
    const response = await t.app.inject({ url: `/api/groups/${groupId}/export.qdpx`, headers: bearer(moderator) });
    expect(response.statusCode).toBe(200);
    exported = response.rawPayload;
  });
  afterAll(() => t.close());

  it('exports a .qdpx whose project.qde validates against Project.xsd', async () => {
    const response = await t.app.inject({ url: `/api/groups/${groupId}/export.qdpx`, headers: bearer(analyst) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="calma-.+\.qdpx"/);
    const { projectXml, sources } = unpackQdpx(new Uint8Array(response.rawPayload));
    expect(existsSync(xsd), `the REFI-QDA schema at ${xsd}`).toBe(true);
    const dir = mkdtempSync(joinPath(tmpdir(), 'qdpx-'));
    writeFileSync(joinPath(dir, 'project.qde'), projectXml);
    // xmllint exits non-zero (and execFileSync throws with its message) when the file is invalid.
    execFileSync('xmllint', ['--noout', '--schema', xsd, joinPath(dir, 'project.qde')], { stdio: 'pipe' });
    const project = parseProjectXml(projectXml);
    expect(project.users.map((u) => u.name).sort()).toEqual(['Moderator', 'P1', 'P2']);
    expect(project.sources).toHaveLength(2);
    for (const source of project.sources) {
      expect(source.plainTextPath).toMatch(/^internal:\/\/[0-9a-f-]{36}\.txt$/);
      expect(sources.has(`sources/${source.plainTextPath?.slice('internal://'.length)}`)).toBe(true);
    }
    const everything = projectXml + [...sources.values()].join('\n');
    expect(everything).not.toContain('Asha');
    expect(everything).not.toContain('asha@example.org');
    expect(everything).not.toContain('Bo Lind');
    expect(everything).not.toContain('secret');
    expect(everything).toContain('kindly');
  });

  it('imports its own export into a fresh group unchanged', async () => {
    const fresh = await createGroup(t, { name: 'Fresh' });
    const response = await importInto(fresh, exported);
    expect(response.statusCode).toBe(201);
    expect(response.json().counts).toEqual({ participants: 2, interactions: 2, labels: 5, attributes: 2 });

    const db = t.db.db;
    const [beforeRows, afterRows] = await Promise.all([listInteractions(db, groupId), listInteractions(db, fresh.id)]);
    const exportedRows = beforeRows.filter((r) => r.shared);
    const text = (rows: typeof beforeRows) =>
      rows.map((r) => r.messages.map((m) => `${m.role}: ${m.content}`).join('\n'));
    const masked = (s: string) => s.replace('asha@example.org', '').replace(/Asha/g, '');
    // The shared chat leaves masked; everything else is exactly as it was.
    const after = text(afterRows);
    expect(after[0]).toBe(text(exportedRows)[0]);
    expect(after[1]).not.toContain('asha@example.org');
    expect(masked(after[1] ?? '').length).toBeGreaterThan(0);
    expect(afterRows.map((r) => r.baseline)).toEqual([true, false]);

    const people = new Map((await listParticipants(db, fresh.id)).map((p) => [p.id, p.displayName]));
    const sourcePeople = new Map((await listParticipants(db, groupId)).map((p, i) => [p.id, `P${i + 1}`]));
    const describeLabels = (
      rows: Awaited<ReturnType<typeof listLabels>>,
      names: Map<string, string>,
      msgs: typeof beforeRows,
    ) =>
      rows
        .filter((l) => msgs.some((m) => m.id === l.interactionId))
        .map((l) => {
          const content = msgs.find((m) => m.id === l.interactionId)?.messages[l.messageIndex ?? 0]?.content ?? '';
          return {
            text: l.text,
            annotation: l.annotation,
            coder: l.participantId === null ? null : names.get(l.participantId),
            messageIndex: l.messageIndex,
            coded: l.spanStart === null ? null : content.slice(l.spanStart, l.spanEnd ?? 0),
          };
        })
        .sort((a, b) => a.text.localeCompare(b.text));
    const afterLabels = await listLabels(db, fresh.id);
    const notContact = (l: { text: string }) => l.text !== 'contact';
    expect(describeLabels(afterLabels, people, afterRows).filter(notContact)).toEqual(
      describeLabels(await listLabels(db, groupId), sourcePeople, exportedRows).filter(notContact),
    );
    // A span on words that masking replaced cannot point at them any more: it covers the turn.
    const contact = afterLabels.find((l) => l.text === 'contact');
    expect([contact?.messageIndex, contact?.spanStart, contact?.spanEnd]).toEqual([1, null, null]);
    // Spans that masking did not touch keep their offsets exactly.
    const warmBefore = (await listLabels(db, groupId)).find((l) => l.text === 'warm');
    const warmAfter = afterLabels.find((l) => l.text === 'warm');
    expect([warmAfter?.spanStart, warmAfter?.spanEnd]).toEqual([warmBefore?.spanStart, warmBefore?.spanEnd]);

    const describeAttributes = async (id: string, names: Map<string, string>) => {
      const labels = new Map((await listLabels(db, id)).map((l) => [l.id, l.text]));
      return (await listAttributes(db, id)).map((a) => ({
        name: a.name,
        definition: a.definition,
        owner: a.participantId === null ? null : names.get(a.participantId),
        codes: a.codes.map((c) => ({ text: labels.get(c.labelId), sign: c.sign })),
      }));
    };
    expect(await describeAttributes(fresh.id, people)).toEqual(await describeAttributes(groupId, sourcePeople));
  });

  it("makes imported codes available to the coding page's suggestions at once (labels-added)", async () => {
    const fresh = await createGroup(t, { name: 'Suggesting' });
    const suggest = async (q: string) =>
      (
        await t.app.inject({
          url: `/api/groups/${fresh.id}/codes/suggest?q=${q}`,
          headers: bearer(fresh.moderatorToken),
        })
      )
        .json()
        .suggestions.map((s: { text: string; by: string }) => `${s.text} (${s.by})`) as string[];
    // Asked once first, so the group's code index is loaded (and empty) before the import: only
    // the event can bring the new codes into it.
    expect(await suggest('war')).toEqual([]);
    expect((await importInto(fresh, exported)).statusCode).toBe(201);
    await expect.poll(() => suggest('war'), { timeout: 3000 }).toContain('warm (prefix)');
  });

  it('refuses bad input with the error shape and stores nothing', async () => {
    const fresh = await createGroup(t, { name: 'Refusals' });
    const stored = async () => (await listInteractions(t.db.db, fresh.id)).length;

    const notZip = await importInto(fresh, strToU8('this is not a zip'));
    expect(notZip.statusCode).toBe(400);
    expect(notZip.json().error.code).toBe('VALIDATION_FAILED');
    expect(notZip.json().error.message).toMatch(/not a ZIP/);

    const noProject = await importInto(fresh, zipSync({ 'sources/a.txt': strToU8('hello') }));
    expect(noProject.statusCode).toBe(400);
    expect(noProject.json().error.message).toMatch(/no project.qde/);

    const xxe = `<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="00000000-0000-4000-8000-000000000001" name="s"><PlainTextContent>&x;</PlainTextContent></TextSource></Sources></Project>`;
    const entity = await importInto(fresh, zipSync({ 'project.qde': strToU8(xxe) }));
    expect(entity.statusCode).toBe(400);
    expect(entity.json().error.message).toMatch(/DOCTYPE/);
    expect(entity.body).not.toContain('root:');

    const traversal = await importInto(
      fresh,
      zipSync({ 'project.qde': strToU8('<Project name="x"/>'), '../../etc/cron.d/evil': strToU8('x') }),
    );
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json().error.message).toMatch(/unsafe entry name/);

    const started = Date.now();
    const bomb = zeroBomb('project.qde', 200 * 1024 * 1024);
    const exploded = await importInto(fresh, bomb);
    expect(exploded.statusCode).toBe(413);
    expect(exploded.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(15_000);

    const g = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const pastText = `<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="${g(1)}" name="s"><PlainTextContent>abc</PlainTextContent><PlainTextSelection guid="${g(2)}" startPosition="1" endPosition="99"/></TextSource></Sources></Project>`;
    const offsets = await importInto(fresh, zipSync({ 'project.qde': strToU8(pastText) }));
    expect(offsets.statusCode).toBe(400);

    const missingFile = `<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="${g(1)}" name="s" plainTextPath="internal://gone.txt"/></Sources></Project>`;
    const missing = await importInto(fresh, zipSync({ 'project.qde': strToU8(missingFile) }));
    expect(missing.statusCode).toBe(400);

    const json = await importInto(fresh, '{}', 'application/json');
    expect([400, 415]).toContain(json.statusCode);

    expect(await stored()).toBe(0);
    expect(await listParticipants(t.db.db, fresh.id)).toHaveLength(0);
  });
});

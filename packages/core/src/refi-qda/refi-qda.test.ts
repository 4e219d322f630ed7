import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  type CalmaExport,
  calmaToQda,
  escapeAttribute,
  escapeText,
  packQdpx,
  parseProjectXml,
  QdaFormatError,
  QdpxTooLargeError,
  qdaToCalma,
  stableGuid,
  unpackQdpx,
  unsafeEntryName,
  writeProjectXml,
} from './index.js';
import { zeroBomb } from './testing.js';

// CI checks the shared specification out beside the clone (`../shared`); CALMA_SHARED_DIR points
// elsewhere when it is not there. A missing schema fails the test rather than skipping it.
const schema = resolve(
  process.env.CALMA_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../../shared'),
  'spec/refi-qda/Project.xsd',
);

const sample: CalmaExport = {
  name: 'Study — Group <A> & "B"',
  exportedAt: '2026-12-01T05:00:00.000Z',
  users: [
    { id: 'pa', name: 'P1' },
    { id: 'pb', name: 'P2' },
  ],
  interactions: [
    {
      id: 'in_1',
      participantId: 'pa',
      baseline: true,
      messages: [
        { role: 'user', content: 'Is it 😀 safe?\nTell me.' },
        { role: 'assistant', content: 'नमस्ते — yes, 😀 it is <safe> & sound.' },
      ],
    },
    { id: 'in_2', participantId: null, baseline: false, messages: [{ role: 'assistant', content: 'Cold reply.' }] },
  ],
  labels: [
    {
      id: 'l1',
      text: 'warm',
      annotation: 'because\nit "greets"',
      participantId: 'pa',
      interactionId: 'in_1',
      messageIndex: 1,
      span: { start: 0, end: 7 },
    },
    {
      id: 'l2',
      text: 'emoji',
      annotation: null,
      participantId: 'pb',
      interactionId: 'in_1',
      messageIndex: 1,
      span: { start: 14, end: 16 },
    },
    {
      id: 'l3',
      text: 'cold',
      annotation: null,
      participantId: 'pb',
      interactionId: 'in_2',
      messageIndex: 0,
      span: null,
    },
    {
      id: 'l4',
      text: 'overall',
      annotation: null,
      participantId: null,
      interactionId: 'in_1',
      messageIndex: null,
      span: null,
    },
    {
      id: 'l5',
      text: 'warm',
      annotation: null,
      participantId: 'pb',
      interactionId: 'in_1',
      messageIndex: 1,
      span: null,
    },
  ],
  attributes: [
    {
      id: 'at1',
      participantId: 'pa',
      name: 'Warmth',
      definition: 'How warm it feels',
      codes: [
        { labelId: 'l1', sign: 1 },
        { labelId: 'l3', sign: -1 },
      ],
    },
    { id: 'at2', participantId: null, name: 'Tone', definition: '', codes: [{ labelId: 'l1', sign: -1 }] },
  ],
};

describe('REFI-QDA project', () => {
  it('round-trips Calma data through project.qde and the archive unchanged', () => {
    const { project, sources } = calmaToQda(sample);
    const zip = packQdpx(writeProjectXml(project), sources);
    const content = unpackQdpx(zip);
    const back = qdaToCalma(parseProjectXml(content.projectXml), content.sources);
    expect(back.interactions).toEqual(
      sample.interactions.map((i) => ({
        participant: i.participantId && stableGuid('user', i.participantId),
        baseline: i.baseline,
        messages: i.messages,
      })),
    );
    const userName = new Map(back.users.map((u) => [u.guid, u.name]));
    const labels = back.labels.map((l) => ({
      text: l.text,
      annotation: l.annotation,
      who: l.participant === null ? null : userName.get(l.participant),
      interaction: l.interaction,
      messageIndex: l.messageIndex,
      span: l.span,
    }));
    expect(labels).toEqual(
      expect.arrayContaining([
        {
          text: 'warm',
          annotation: 'because\nit "greets"',
          who: 'P1',
          interaction: 0,
          messageIndex: 1,
          span: { start: 0, end: 7 },
        },
        { text: 'emoji', annotation: null, who: 'P2', interaction: 0, messageIndex: 1, span: { start: 14, end: 16 } },
        { text: 'overall', annotation: null, who: null, interaction: 0, messageIndex: null, span: null },
        { text: 'warm', annotation: null, who: 'P2', interaction: 0, messageIndex: 1, span: null },
        { text: 'cold', annotation: null, who: 'P2', interaction: 1, messageIndex: 0, span: null },
      ]),
    );
    expect(labels).toHaveLength(5);
    const attrs = back.attributes.map((a) => ({
      name: a.name,
      definition: a.definition,
      who: a.participant === null ? null : userName.get(a.participant),
      codes: a.codes.map((c) => ({ text: back.labels[c.label]?.text, sign: c.sign })),
    }));
    expect(attrs).toEqual([
      {
        name: 'Warmth',
        definition: 'How warm it feels',
        who: 'P1',
        codes: [
          { text: 'warm', sign: 1 },
          { text: 'cold', sign: -1 },
        ],
      },
      { name: 'Tone', definition: '', who: null, codes: [{ text: 'warm', sign: -1 }] },
    ]);
    // The span on "😀" counts one character in the file (REFI-QDA positions are characters).
    const emoji = project.sources[0]?.selections.find((s) => s.guid === stableGuid('selection', 'l2'));
    const text = sources.get(`sources/${project.sources[0]?.guid}.txt`) ?? '';
    expect([...text].slice(emoji?.start, emoji?.end).join('')).toBe('😀');
  });

  it('drops characters XML cannot carry and escapes the rest', () => {
    expect(escapeText('a\u0001<b>&\uFFFE')).toBe('a&lt;b&gt;&amp;');
    expect(escapeAttribute('"x"\n\ty')).toBe('&quot;x&quot;&#10;&#9;y');
  });

  it('writes the same bytes twice (stable GUIDs)', () => {
    const a = writeProjectXml(calmaToQda(sample).project);
    expect(writeProjectXml(calmaToQda(sample).project)).toBe(a);
  });

  it('writes a project.qde that validates against Project.xsd', () => {
    expect(existsSync(schema), `the REFI-QDA schema at ${schema}`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'qde-'));
    const file = join(dir, 'project.qde');
    writeFileSync(file, writeProjectXml(calmaToQda(sample).project));
    expect(() => execFileSync('xmllint', ['--noout', '--schema', schema, file], { stdio: 'pipe' })).not.toThrow();
  });

  it('refuses a DOCTYPE with an external entity (XXE)', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>`;
    expect(() => parseProjectXml(xml)).toThrow(/DOCTYPE/);
  });

  it('reads a project from another tool: inline text, nested codes, unsigned members', () => {
    const g = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const xml = `<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">
<Users><User guid="${g(1)}" name="Ann"/></Users>
<CodeBook><Codes><Code guid="${g(2)}" name="Parent" isCodable="true"><Code guid="{${g(3).toUpperCase()}}" name="child" isCodable="true"/></Code></Codes></CodeBook>
<Sources><TextSource guid="${g(4)}" name="doc"><PlainTextContent>Hello &amp; world</PlainTextContent>
<PlainTextSelection guid="${g(5)}" startPosition="0" endPosition="5" creatingUser="${g(1)}"><Coding guid="${g(6)}"><CodeRef targetGUID="${g(3)}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>`;
    const back = qdaToCalma(parseProjectXml(xml), new Map());
    expect(back.interactions).toEqual([
      { participant: null, baseline: false, messages: [{ role: 'assistant', content: 'Hello & world' }] },
    ]);
    expect(back.labels).toEqual([
      {
        text: 'child',
        annotation: null,
        participant: g(1),
        interaction: 0,
        messageIndex: 0,
        span: { start: 0, end: 5 },
      },
    ]);
    expect(back.attributes).toEqual([
      { participant: null, name: 'Parent', definition: '', codes: [{ label: 0, sign: 1 }] },
    ]);
  });

  it('names what is wrong: a coding of an unknown code, a selection past the text', () => {
    const g = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const wrap = (sel: string) =>
      `<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="${g(4)}" name="doc"><PlainTextContent>abc</PlainTextContent>${sel}</TextSource></Sources></Project>`;
    expect(() =>
      qdaToCalma(
        parseProjectXml(
          wrap(
            `<PlainTextSelection guid="${g(5)}" startPosition="0" endPosition="2"><Coding guid="${g(6)}"><CodeRef targetGUID="${g(9)}"/></Coding></PlainTextSelection>`,
          ),
        ),
        new Map(),
      ),
    ).toThrow(/not in the codebook/);
    expect(() =>
      qdaToCalma(
        parseProjectXml(wrap(`<PlainTextSelection guid="${g(5)}" startPosition="1" endPosition="9"/>`)),
        new Map(),
      ),
    ).toThrow(/not inside one message/);
    expect(() => parseProjectXml('<Project name="x"><Users>')).toThrow(QdaFormatError);
    expect(() =>
      qdaToCalma(
        parseProjectXml(wrap(`<PlainTextSelection guid="${g(5)}" startPosition="2" endPosition="2"/>`)),
        new Map(),
      ),
    ).toThrow(/is empty/);
    expect(() =>
      qdaToCalma(
        parseProjectXml(wrap(`<PlainTextSelection guid="${g(5)}" startPosition="2" endPosition="1"/>`)),
        new Map(),
      ),
    ).toThrow(/ends before it starts/);
  });
});

describe('.qdpx archive', () => {
  it('refuses what is not a ZIP, a ZIP without project.qde, and traversing entry names', () => {
    expect(() => unpackQdpx(new TextEncoder().encode('hello'))).toThrow(/not a ZIP/);
    expect(() => unpackQdpx(zipSync({ 'other.txt': new Uint8Array([1]) }))).toThrow(/no project.qde/);
    expect(() =>
      unpackQdpx(zipSync({ '../evil.txt': new Uint8Array([1]), 'project.qde': new Uint8Array([1]) })),
    ).toThrow(/unsafe entry name/);
    for (const name of ['/etc/passwd', 'sources/../../x', 'C:/x.txt', 'sources\\..\\x', 'a\u0000b']) {
      expect(unsafeEntryName(name), name).toBe(true);
    }
    expect(unsafeEntryName('sources/ok..txt')).toBe(false);
  });

  it('stops a ZIP bomb at the byte limit while inflating, whatever the headers say', () => {
    const bomb = zeroBomb('project.qde', 200 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const started = Date.now();
    expect(() => unpackQdpx(bomb)).toThrow(QdpxTooLargeError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('counts entries', () => {
    const many: Record<string, Uint8Array> = { 'project.qde': new Uint8Array(0) };
    for (let i = 0; i < 30; i++) many[`sources/${i}.txt`] = new Uint8Array(0);
    expect(() => unpackQdpx(zipSync(many), { maxEntries: 10, maxTotalBytes: 1000 })).toThrow(/more than 10 entries/);
    expect(unpackQdpx(zipSync(many)).sources.size).toBe(30);
  });
});

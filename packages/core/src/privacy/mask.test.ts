import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPersonalUrl, maskPersonalData } from './mask.js';
import { selfNamesFrom } from './self-names.js';

const mask = (text: string, selfNames?: string[]) => maskPersonalData(text, { selfNames });

describe('maskPersonalData', () => {
  it('masks emails, keeping the sentence around them', () => {
    const r = mask('Write to priya.sharma+calma@example.co.in, thanks.');
    expect(r.text).toBe('Write to [email], thanks.');
    expect(r.masked).toEqual([{ kind: 'email', start: 9, end: 41, placeholder: '[email]' }]);
  });

  it('masks phone numbers in national and international forms', () => {
    expect(mask('Call +91 98765 43210 today').text).toBe('Call [phone] today');
    expect(mask('my number is 9876543210').text).toBe('my number is [phone]');
    expect(mask('US office (415) 555-2671 or 415.555.2671').text).toBe('US office [phone] or [phone]');
    expect(mask('London: +44 20 7946 0958.').text).toBe('London: [phone].');
    expect(mask('ring 020 7946 0958').text).toBe('ring [phone]');
  });

  it('leaves years, counts, ranges, dates and ISBNs alone', () => {
    for (const text of [
      'between 4,000 and 8,000 Native Americans died',
      'a 1621 celebration in the early 17th century',
      'from 1838 to 1839, some 16,000 people',
      'ISBN 978-3-16-148410-0, published 2024-01-15',
      'about 1.4 billion people; 28 states and 8 union territories',
      'Room 101, page 12345',
      '₹4,000 to ₹8,000 a month; 1,380,004,385 people',
      'at 10:30 on 28/11/2024, version 3.14.159',
      'the 1947 partition; 15 August 1947 — १५ अगस्त १९४७',
      'Call of Duty, I am Legend, email etiquette',
    ]) {
      expect(mask(text)).toEqual({ text, masked: [] });
    }
  });

  it('masks links that carry a personal id and keeps plain site links', () => {
    expect(mask('see https://forms.example.com/view?user=8812&token=abc').text).toBe('see [link]');
    expect(mask('my profile https://www.linkedin.com/in/priya-sharma-42/ ok').text).toBe('my profile [link] ok');
    expect(mask('docs at https://drive.example.com/d/1aB2cD3eF4gH5iJ6kL7m/edit').text).toBe('docs at [link]');
    expect(mask('orders https://shop.example.com/orders/77813321.').text).toBe('orders [link].');
    for (const text of [
      'Read https://en.wikipedia.org/wiki/Thanksgiving_(United_States) first.',
      'see www.example.org and https://calma.example.com/about.',
      'the site https://www.nps.gov/trte/learn/historyculture/index.htm',
    ]) {
      expect(mask(text)).toEqual({ text, masked: [] });
    }
  });

  it('does not mask digits or addresses inside a kept link separately', () => {
    expect(isPersonalUrl('https://news.example.com/2024/11/28/thanksgiving-history')).toBe(false);
    expect(isPersonalUrl('https://example.com/u/48213377')).toBe(true);
    expect(isPersonalUrl('https://example.com/@asha')).toBe(true);
    expect(mask('https://example.com/articles/history').masked).toEqual([]);
  });

  it('masks self-names wherever they occur, whole words only, case-insensitively', () => {
    const r = mask('Hi Priya! priya, Priyanka and Priya Sharma are here.', ['Priya Sharma', 'Priya']);
    expect(r.text).toBe('Hi [name]! [name], Priyanka and [name] are here.');
    expect(r.masked.map((m) => m.kind)).toEqual(['name', 'name', 'name']);
  });

  it('masks names in Devanagari and keeps offsets into the original text', () => {
    const text = 'नमस्ते प्रिया, कैसी हो? mail: a@b.in';
    const r = mask(text, ['प्रिया']);
    expect(r.text).toBe('नमस्ते [name], कैसी हो? mail: [email]');
    for (const span of r.masked) expect(span.end).toBeGreaterThan(span.start);
    expect(text.slice(r.masked[0]?.start, r.masked[0]?.end)).toBe('प्रिया');
    expect(text.slice(r.masked[1]?.start, r.masked[1]?.end)).toBe('a@b.in');
  });

  it('returns the same string when nothing is personal', () => {
    const text = 'Nothing personal here.';
    expect(mask(text, ['Asha']).text).toBe(text);
  });

  it('passes the pilot material through unchanged', () => {
    const file = new URL('../../../../apps/server/src/seed/pilot/interactions.json', import.meta.url);
    const pilot = JSON.parse(readFileSync(file, 'utf8')) as { interactions: { response: string; labels: string[] }[] };
    expect(pilot.interactions.length).toBeGreaterThan(0);
    const selfNames = selfNamesFrom(["Hi, I'm Asha. What is Thanksgiving?"], 'Ravi Kumar');
    for (const item of pilot.interactions) {
      expect(mask(item.response, selfNames)).toEqual({ text: item.response, masked: [] });
      for (const label of item.labels) expect(mask(label, selfNames).text).toBe(label);
    }
  });
});

describe('selfNamesFrom', () => {
  it('takes names the author gave for themselves', () => {
    expect(selfNamesFrom(['Hello, my name is Priya Sharma and I teach.'])).toEqual(['Priya Sharma', 'Priya', 'Sharma']);
    expect(selfNamesFrom(["I'm Ravi, from Pune."])).toEqual(['Ravi']);
    expect(selfNamesFrom(['you can call me jo'])).toEqual(['jo']);
    expect(selfNamesFrom(['my name is asha'])).toEqual(['asha']);
    expect(selfNamesFrom(['मेरा नाम प्रिया है।'])).toEqual(['प्रिया']);
  });

  it('adds the display name and its parts first', () => {
    expect(selfNamesFrom([], 'Meera N')).toEqual(['Meera N', 'Meera']);
  });

  it('does not take who or how someone is for a name', () => {
    expect(
      selfNamesFrom([
        "I'm Indian and curious about Thanksgiving.",
        'I am not sure what Adam Smith meant.',
        "I'm a teacher. I am Hindu. I'm Sorry.",
        'The British Empire introduced railways.',
      ]),
    ).toEqual([]);
  });
});

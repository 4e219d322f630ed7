import { describe, expect, it } from 'vitest';
import { interactionView, maskMessages, viewInteraction } from './visibility.js';

const chat = (shared: boolean) => ({
  source: 'chat' as const,
  shared,
  participantId: 'pa',
  messages: [
    { role: 'user' as const, content: "I'm Asha, mail me at asha@example.org" },
    { role: 'assistant' as const, content: 'Hello Asha!' },
  ],
});
const imported = { source: 'import' as const, shared: true, participantId: null, messages: [] };

describe('interaction visibility', () => {
  it('shows imports to everyone as they are', () => {
    for (const viewer of ['others', { role: 'participant' as const, participantId: 'pb' }] as const) {
      expect(interactionView(imported, viewer)).toBe('plain');
    }
  });

  it('shows a chat plainly to its author, masked to staff, to others only once shared', () => {
    expect(interactionView(chat(false), { role: 'participant', participantId: 'pa' })).toBe('plain');
    expect(interactionView(chat(false), { role: 'moderator' })).toBe('masked');
    expect(interactionView(chat(false), { role: 'analyst' })).toBe('masked');
    expect(interactionView(chat(false), { role: 'participant', participantId: 'pb' })).toBe('hidden');
    expect(interactionView(chat(false), 'others')).toBe('hidden');
    expect(interactionView(chat(true), { role: 'participant', participantId: 'pb' })).toBe('masked');
    expect(interactionView(chat(true), 'others')).toBe('masked');
  });

  it('masks self-names from the author turns and display name in every message', () => {
    expect(maskMessages(chat(true).messages, 'Asha K').map((m) => m.content)).toEqual([
      "I'm [name], mail me at [email]",
      'Hello [name]!',
    ]);
    const seen = viewInteraction(chat(true), 'others', () => 'Asha K');
    expect(seen?.masked).toBe(true);
    expect(viewInteraction(chat(false), 'others', () => undefined)).toBeNull();
  });
});

import { useState } from 'react';
import { errorText } from '../../lib/errors';

/** Where a form's last save stands: nothing yet, saved, or the error said in words. */
export type SaveState = { status: 'idle' } | { status: 'saved' } | { status: 'error'; message: string };

/**
 * Runs a save and keeps its outcome for the form to show beside itself: the server's validation
 * message (through errorText) on failure, a "saved" note on success; editing again clears it.
 */
export function useSave() {
  const [state, setState] = useState<SaveState>({ status: 'idle' });
  const run = async (save: () => Promise<unknown>) => {
    try {
      await save();
      setState({ status: 'saved' });
    } catch (error) {
      setState({ status: 'error', message: errorText(error) });
    }
  };
  const touched = () => setState((s) => (s.status === 'idle' ? s : { status: 'idle' }));
  return { state, run, touched };
}

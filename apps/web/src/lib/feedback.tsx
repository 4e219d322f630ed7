import { useCallback, useState } from 'react';
import { ApiError } from './api';
import { errorText } from './errors';

/** What happened to the last save, as one line under a form. */
export interface Feedback {
  ok: boolean;
  text: string;
}

/**
 * Runs a save and keeps its outcome: `success` (or `success(result)`) when it worked, the error in
 * the reader's language (see {@link errorText}; `failure` for anything that is not an API error)
 * when it did not. Resolves to whether it worked.
 */
export function useFeedback(failure?: string) {
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const attempt = useCallback(
    async <T,>(work: () => Promise<T>, success: string | ((result: T) => string)): Promise<boolean> => {
      try {
        const result = await work();
        setFeedback({ ok: true, text: typeof success === 'string' ? success : success(result) });
        return true;
      } catch (error) {
        setFeedback({ ok: false, text: error instanceof ApiError || !failure ? errorText(error) : failure });
        return false;
      }
    },
    [failure],
  );
  return { feedback, attempt };
}

/** The outcome line: a polite status when it worked, an alert when it did not. */
export function FeedbackLine({ feedback }: { feedback: Feedback | null }) {
  if (!feedback) return null;
  return (
    <p className={feedback.ok ? 'notice' : 'error'} role={feedback.ok ? 'status' : 'alert'}>
      {feedback.text}
    </p>
  );
}

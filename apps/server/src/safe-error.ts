/**
 * An error as it may be logged: its name, code and the start of its message. Database drivers
 * attach the statement and its parameters to errors (one failed group commit logged 8.8 MiB of
 * board updates); a log line must never carry what people wrote.
 */
export function safeError(err: unknown): { type: string; message: string; code?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: 'non-Error thrown' };
  const code = (err as { code?: unknown }).code;
  const message = err.message.length > 300 ? `${err.message.slice(0, 300)}…` : err.message;
  return { type: err.name, message, ...(typeof code === 'string' ? { code } : {}) };
}

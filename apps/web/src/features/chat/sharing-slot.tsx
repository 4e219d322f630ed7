import { SharePanel } from '../sharing';

/**
 * The transcripts part's "share (masked preview) / withhold" under the conversation. Keyed by the
 * number of stored messages: the masked preview is fetched again after every turn, so what the
 * participant agrees to share is always the whole conversation as it now stands.
 */
export function SharingSlot({
  conversationId,
  token,
  messages,
}: {
  conversationId: string;
  token: string | null;
  messages: number;
}) {
  if (messages === 0) return null;
  return (
    <div className="sharing-slot" data-testid="sharing">
      <SharePanel key={`${conversationId}-${messages}`} conversationId={conversationId} token={token} />
    </div>
  );
}

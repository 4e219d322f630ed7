import type { ArtifactCode, ArtifactConversation, Me, ParticipantArtifacts } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { HighlightedText } from './highlighted-text';
import './artifacts.css';

const groupPath = (groupId: string) => `/groups/${encodeURIComponent(groupId)}`;

/** The links every artifacts page shares: the people, the group summary, home. */
export function ArtifactsNav({ groupId, list = true }: { groupId: string; list?: boolean }) {
  const { t } = useTranslation('artifacts');
  return (
    <nav className="artifacts-nav" aria-label={t('nav.label')}>
      {list && <Link href={`${groupPath(groupId)}/artifacts`}>{t('nav.people')}</Link>}
      <Link href={`${groupPath(groupId)}/summary`}>{t('nav.summary')}</Link>
      <Link href="/">{t('nav.home')}</Link>
    </nav>
  );
}

/**
 * `/groups/:groupId/artifacts/:participantId`: what one participant made, for segment 0: their
 * conversations and the material they coded (codes highlighted on their spans), their notes and
 * their attributes. What shows is what the server lets this reader see.
 */
export function ArtifactsPage({ groupId, participantId }: { groupId: string; participantId: string }) {
  const { t } = useTranslation('artifacts');
  const token = useToken();
  const me = useApiQuery<Me>(token ? '/api/me' : null, token);
  const data = useApiQuery<ParticipantArtifacts>(
    token ? `/api${groupPath(groupId)}/participants/${encodeURIComponent(participantId)}/artifacts` : null,
    token,
  );
  const mine = me.status === 'success' && me.data.participantId === participantId;

  let body: React.ReactNode;
  if (!token) body = <p className="hint">{t('signedOut')}</p>;
  else if (data.status === 'error') {
    body = (
      <p className="error" role="alert">
        {errorText(data.error)}
      </p>
    );
  } else if (data.status !== 'success') body = <p className="status">{t('loading')}</p>;
  else body = <Artifacts data={data.data} mine={mine} />;

  const name = data.status === 'success' ? data.data.participant.name : null;
  return (
    <section className="card artifacts-page" aria-labelledby="artifacts-title">
      <ArtifactsNav groupId={groupId} />
      <h1 id="artifacts-title" dir="auto">
        {mine ? t('titleMine') : name ? t('titleOf', { name }) : t('title')}
      </h1>
      {body}
    </section>
  );
}

function Artifacts({ data, mine }: { data: ParticipantArtifacts; mine: boolean }) {
  const { t } = useTranslation('artifacts');
  // A code shows under its turn; one whose turn is not shown here (not visible to this reader,
  // on no turn, or on a turn the conversation no longer has) is listed on its own.
  const turns = new Map(data.conversations.map((c) => [c.id, c.messages.length]));
  const elsewhere = data.codes.filter(
    (c) => c.interactionId === null || c.messageIndex === null || c.messageIndex >= (turns.get(c.interactionId) ?? 0),
  );
  const notes = data.codes.filter((c) => c.note);
  const own = data.conversations.filter((c) => c.own);
  const coded = data.conversations.filter((c) => !c.own);
  return (
    <>
      <p className="hint">{mine ? t('introMine') : t('introOther')}</p>
      <p>
        {t('counts', {
          conversations: t('conversationCount', { count: own.length }),
          codes: t('codeCount', { count: data.codes.length }),
          attributes: t('attributeCount', { count: data.attributes.length }),
        })}
      </p>

      <h2>{t('conversations.title')}</h2>
      {own.length === 0 && <p className="hint">{mine ? t('conversations.noneMine') : t('conversations.none')}</p>}
      {own.map((c) => (
        <Conversation key={c.id} conversation={c} codes={data.codes} />
      ))}

      {coded.length > 0 && (
        <>
          <h2>{mine ? t('coded.titleMine') : t('coded.title')}</h2>
          {coded.map((c) => (
            <Conversation key={c.id} conversation={c} codes={data.codes} />
          ))}
        </>
      )}

      {elsewhere.length > 0 && (
        <>
          <h2>{t('elsewhere.title')}</h2>
          <p className="hint">{t('elsewhere.hint')}</p>
          <CodeList codes={elsewhere} text={undefined} />
        </>
      )}

      <h2>{t('notes.title')}</h2>
      {notes.length === 0 ? (
        <p className="hint">{t('notes.none')}</p>
      ) : (
        <ul className="artifact-notes">
          {notes.map((c) => (
            <li key={c.id}>
              <strong dir="auto">{c.text}</strong>: <span dir="auto">{c.note}</span>
            </li>
          ))}
        </ul>
      )}

      <h2>{t('attributes.title')}</h2>
      {data.attributes.length === 0 ? (
        <p className="hint">{mine ? t('attributes.noneMine') : t('attributes.none')}</p>
      ) : (
        <ul className="artifact-attributes">
          {data.attributes.map((a) => {
            const textOf = (id: string) => data.codes.find((c) => c.id === id)?.text;
            const side = (sign: 1 | -1) =>
              a.codes.filter((c) => c.sign === sign).flatMap((c) => textOf(c.labelId) ?? []);
            return (
              <li key={a.id} className="artifact-attribute" data-testid="artifact-attribute">
                <h3 dir="auto">{a.name}</h3>
                {a.shared && <span className="artifact-badge">{t('attributes.shared')}</span>}
                {a.definition && <p dir="auto">{a.definition}</p>}
                <dl className="artifact-sides">
                  <dt>{t('attributes.for')}</dt>
                  <dd dir="auto">{side(1).join(', ') || t('attributes.noCodes')}</dd>
                  <dt>{t('attributes.against')}</dt>
                  <dd dir="auto">{side(-1).join(', ') || t('attributes.noCodes')}</dd>
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

function Conversation({ conversation, codes }: { conversation: ArtifactConversation; codes: ArtifactCode[] }) {
  const { t } = useTranslation('artifacts');
  const kind = conversation.own
    ? conversation.shared
      ? 'ownShared'
      : 'ownPrivate'
    : conversation.baseline
      ? 'baseline'
      : conversation.source === 'import'
        ? 'import'
        : 'othersShared';
  return (
    <article className="artifact-conversation" data-testid="artifact-conversation">
      <p className="hint">
        {t(`kind.${kind}`)}
        {conversation.masked && ` · ${t('kind.masked')}`}
      </p>
      <ol className="artifact-turns">
        {conversation.messages.map((m, index) => {
          const here = codes.filter((c) => c.interactionId === conversation.id && c.messageIndex === index);
          const marks = here.flatMap((c) => (c.span ? [{ id: c.id, text: c.text, ...c.span }] : []));
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: turns are positions in a fixed conversation
            <li key={index} className={`artifact-turn artifact-turn-${m.role}`}>
              <span className="artifact-role">{t(`role.${m.role}`)}</span>
              <HighlightedText text={m.content} marks={marks} />
              {here.length > 0 && <CodeList codes={here} text={m.content} />}
            </li>
          );
        })}
      </ol>
    </article>
  );
}

function CodeList({ codes, text }: { codes: ArtifactCode[]; text: string | undefined }) {
  const { t } = useTranslation('artifacts');
  return (
    <ul className="artifact-codes" aria-label={t('codes.label')}>
      {codes.map((c) => (
        <li key={c.id} className="artifact-code" data-testid="artifact-code">
          <span className="artifact-code-text" dir="auto">
            {c.text}
          </span>{' '}
          <span className="hint">
            {c.span && text !== undefined ? (
              <>
                {t('codes.on')} “<bdi>{text.slice(c.span.start, c.span.end)}</bdi>”
              </>
            ) : (
              t('codes.wholeTurn')
            )}
            {c.spanStale && ` · ${t('codes.stale')}`}
          </span>
          {c.note && (
            <span className="artifact-code-note" dir="auto">
              {' — '}
              {c.note}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

import type { InteractionRow, schema } from '@calma/db';
import type { ChatMessage, Conversation } from '@calma/protocol';

/** A stored turn as the API shows it (imported turns have no id or status: complete, by position). */
export function toChatMessage(m: schema.InteractionMessage, index: number): ChatMessage {
  return {
    id: m.id ?? `m${index}`,
    role: m.role,
    content: m.content,
    status: m.status ?? 'complete',
    ...(m.createdAt ? { createdAt: m.createdAt } : {}),
    ...(m.modelId ? { modelId: m.modelId } : {}),
    ...(m.provider ? { provider: m.provider } : {}),
    ...(m.model ? { model: m.model } : {}),
    ...(m.params ? { params: m.params } : {}),
    ...(m.systemPromptSha256 ? { systemPromptSha256: m.systemPromptSha256 } : {}),
    ...(m.ttftMs === undefined ? {} : { ttftMs: m.ttftMs }),
    ...(m.latencyMs === undefined ? {} : { latencyMs: m.latencyMs }),
    ...(m.usage ? { usage: m.usage } : {}),
    ...(m.finishReason === undefined ? {} : { finishReason: m.finishReason }),
    ...(m.error ? { error: m.error } : {}),
  };
}

/** A conversation with its model's label and provider (a `replay` one answers with recordings). */
export function toConversation(
  row: InteractionRow,
  study: { models: schema.StudyModel[]; stages: schema.StudyStages },
  maxChars: number,
): Conversation {
  const model = study.models.find((m) => m.id === row.modelId);
  const turns = row.messages.filter((m) => m.role === 'user').length;
  return {
    id: row.id,
    groupId: row.groupId,
    participantId: row.participantId,
    modelId: row.modelId,
    modelLabel: model?.label ?? null,
    provider: model?.provider ?? null,
    shared: row.shared,
    turnsLeft: Math.max(0, study.stages.maxTurns - turns),
    maxChars,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    messages: row.messages.map(toChatMessage),
  };
}

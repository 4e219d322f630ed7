import { OpenAIProvider } from './openai.js';
import { type ChatProvider, type ModelSpec, ProviderError } from './provider.js';
import { type RecordedResponses, ReplayProvider } from './replay.js';

/** What {@link providerFor} builds providers from. */
export interface ProviderDeps {
  /** The recorded responses the replay provider answers from (bound to one study). */
  recorded?: RecordedResponses;
  /** The local (transformers.js) provider, when the server has one. */
  local?: ChatProvider;
  /** The OpenAI-compatible provider to use (one is shared per process by default). */
  openai?: ChatProvider;
  /** Replay pace, in words per second. */
  replayWordsPerSecond?: number;
}

let sharedOpenAI: OpenAIProvider | undefined;

/** The provider that answers for a study model entry. */
export function providerFor(spec: ModelSpec, deps: ProviderDeps = {}): ChatProvider {
  switch (spec.provider) {
    case 'openai':
      if (deps.openai) return deps.openai;
      sharedOpenAI ??= new OpenAIProvider();
      return sharedOpenAI;
    case 'replay':
      return new ReplayProvider(
        deps.recorded ?? (async () => []),
        deps.replayWordsPerSecond === undefined ? {} : { wordsPerSecond: deps.replayWordsPerSecond },
      );
    case 'local':
      if (deps.local) return deps.local;
      return unavailable(spec, 'Local models are not available on this server');
  }
}

function unavailable(spec: ModelSpec, message: string): ChatProvider {
  return {
    kind: spec.provider,
    // biome-ignore lint/correctness/useYield: it only ever throws
    async *stream() {
      throw new ProviderError('MODEL_UNKNOWN', message);
    },
  };
}
